import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signet } from '../support/cli.ts';
import { tempStore, type TempStore } from '../support/store.ts';

// What a hostile key file can make the CLI print: its kid comes back in tables and in error messages,
// and must come back as text, on the line it belongs to.

let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
  store.session.close();
});
afterEach(() => store.cleanup());

function jwkFile(name: string, kid: string): string {
  const path = join(store.dir, name);
  writeFileSync(path, JSON.stringify({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid }));
  return path;
}

describe('text from key files on the terminal', () => {
  it('escapes control sequences in an error message that quotes a kid', async () => {
    const kid = 'evil\u001b]0;pwned\u0007\u001b[2J';
    expect((await signet(['keys', 'import', jwkFile('a.jwk', kid)], { store: store.path })).code).toBe(0);
    const again = await signet(['keys', 'import', jwkFile('b.jwk', kid)], { store: store.path });
    expect(again.code).toBe(2);
    expect(again.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(again.stderr).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J');
    expect(again.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('keeps a kid with a line break on its own row of the key list', async () => {
    expect((await signet(['keys', 'import', jwkFile('a.jwk', 'first\nFAKE-ROW  looks real'), '--name', 'lined'], { store: store.path })).code).toBe(0);
    const listed = await signet(['keys', 'list'], { store: store.path });
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('first\\nFAKE-ROW');
  });
});

describe('secret files', () => {
  it('refuses bytes that are not one line of text instead of storing another secret', async () => {
    const binary = join(store.dir, 'binary.secret');
    writeFileSync(binary, Buffer.from([0x8f, 0x00, 0xff, 0x41, 0x0a, 0x42]));
    const refused = await signet(['keys', 'import-secret', '--app-id', 'OPG-BIN', '--secret-file', binary], { store: store.path });
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(/binary\.secret is not text/) });
    const twoLines = join(store.dir, 'two.secret');
    writeFileSync(twoLines, 'first-line-secret\nsecond-line\n');
    expect((await signet(['keys', 'import-secret', '--app-id', 'OPG-TWO', '--secret-file', twoLines], { store: store.path })).stderr).toMatch(/has more than one line/);
    const oneLine = join(store.dir, 'one.secret');
    writeFileSync(oneLine, 'a-partner-issued-secret-0123456789\r\n');
    expect((await signet(['keys', 'import-secret', '--app-id', 'OPG-ONE', '--secret-file', oneLine], { store: store.path })).code).toBe(0);
    const listed = await signet(['keys', 'list', '--json'], { store: store.path });
    expect(listed.json<{ appId: string | null }[]>().map((key) => key.appId)).toEqual(['OPG-ONE']);
  });
});

describe('asking for passphrases without a terminal', () => {
  it('names the variable and the option that give the new passphrase', async () => {
    const changed = await signet(['passphrase', 'change'], { store: store.path });
    expect({ code: changed.code, stderr: changed.stderr.trim() }).toEqual({ code: 2, stderr: 'signet passphrase change: a new passphrase is needed: set SIGNET_NEW_PASSPHRASE or use --new-passphrase-file FILE' });
  });
});

describe('private exports', () => {
  it('never replace an existing file unless --force says so', async () => {
    const key = JSON.parse((await signet(['keys', 'generate', '--type', 'ec', '--json'], { store: store.path })).stdout) as { id: string };
    const out = join(store.dir, 'existing.pem');
    writeFileSync(out, 'another key, not to be lost');
    const refused = await signet(['keys', 'export', key.id, '--private', '--format', 'pem', '--out', out], { store: store.path });
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(/existing\.pem already exists \(choose another name, or pass --force to replace it\)$/) });
    expect(readFileSync(out, 'utf8')).toBe('another key, not to be lost');
    expect((await signet(['keys', 'export', key.id, '--private', '--format', 'pem', '--out', out, '--force'], { store: store.path })).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('keys export --json', () => {
  it('is one JSON document: the export inside it, or where it was written', async () => {
    const key = JSON.parse((await signet(['keys', 'generate', '--type', 'ec', '--json'], { store: store.path })).stdout) as { id: string; kid: string };
    const printed = await signet(['keys', 'export', key.id, '--public', '--format', 'jwk', '--json'], { store: store.path });
    const document = printed.json<{ fileName: string; text: string }>();
    expect(JSON.parse(document.text)).toMatchObject({ kty: 'EC', kid: key.kid });
    const out = join(store.dir, 'public.pem');
    const written = await signet(['keys', 'export', key.id, '--public', '--format', 'pem', '--out', out, '--json'], { store: store.path });
    expect(written.json()).toMatchObject({ path: out, mimeType: expect.any(String), bytes: readFileSync(out).length });
  });
});

describe('usage errors with --json', () => {
  it('still print one JSON document with the error, and exit 2', async () => {
    for (const args of [['keys', 'list', '--bogus', '--json'], ['keys', 'show', '--json'], ['nonsense', 'command', '--json']]) {
      const result = await signet(args, { store: store.path });
      expect(result.code).toBe(2);
      expect(result.json()).toEqual({ error: { code: 'ERR_BAD_INPUT', message: expect.any(String) } });
    }
  });
});
