import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, type ErrorCode } from '../../main/core/errors.ts';
import { importCapture } from '../../main/services/captures.ts';
import { harText } from '../support/capture.ts';
import { signet, type CliResult } from '../support/cli.ts';
import { corpusFixture } from './builders.ts';
import { CORPUS, type CorpusCase, type CorpusInput } from './cases.ts';

// The corpus through the real CLI: `signet verify`, `signet decrypt`, `signet keys import` and
// `signet capture verify`, as a user or a CI job runs them.

const corpus = corpusFixture();

const run = (args: string[], input?: string) => signet([...args, '--json'], { store: corpus.store.path, ...(input !== undefined && { input }) });

async function runCase(entry: CorpusCase, input: CorpusInput): Promise<CliResult> {
  switch (input.target) {
    case 'jws':
      return run(['verify', '-'], input.token);
    case 'jwe':
      return run(['decrypt', '-'], input.token);
    case 'key-file': {
      const path = join(corpus.store.dir, `${entry.id}.key`);
      writeFileSync(path, input.bytes);
      return run(['keys', 'import', path]);
    }
    case 'capture': {
      const path = join(corpus.store.dir, input.fileName);
      await pipeline(Readable.from(input.chunks()), createWriteStream(path));
      return run(['capture', 'verify', path]);
    }
  }
}

const VERDICT_EXIT: Record<string, number> = { valid: 0, passing: 0, ok: 0, decrypted: 0 };

function expectedExit(service: string): number {
  if (service in VERDICT_EXIT) return VERDICT_EXIT[service] ?? 0;
  if (service.startsWith('ERR_')) return exitCodeFor(service as ErrorCode);
  return 1;
}

function expectNothingLeaked(result: CliResult): void {
  const output = result.stdout + result.stderr;
  for (const secret of corpus.keys.secrets) expect(output).not.toContain(secret.slice(0, 16));
  // A user never sees a stack trace.
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe.each(CORPUS.map((entry): [string, CorpusCase] => [entry.id, entry]))('signet on corpus %s', (_id, entry) => {
  it(`exits ${expectedExit(entry.service)} with ${entry.service}`, async () => {
    const result = await runCase(entry, await entry.build(corpus.ctx));
    expect({ code: result.code, stderr: result.stderr.slice(0, 300) }).toMatchObject({ code: expectedExit(entry.service) });
    expectNothingLeaked(result);
    const output = result.json<{ verdict?: string; error?: { code: string; message: string }; findings?: { verdict: string }[] }>();
    if (entry.service.startsWith('ERR_')) {
      expect(output.error?.code).toBe(entry.service);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } else if (input(entry) === 'jws' || input(entry) === 'jwe') {
      expect(output.verdict).toBe(entry.service);
    }
  }, 60_000);
});

function input(entry: CorpusCase): string {
  return entry.id.split('-')[0] ?? '';
}

describe('signet after the corpus', () => {
  it('fetched nothing from a jku or x5u URL', () => {
    expect(corpus.trap.requests()).toBe(0);
  });

  it('still holds every key (SQL-shaped kids were only ever looked up)', async () => {
    const listed = await run(['keys', 'list']);
    expect(listed.json<{ kid: string }[]>().map((key) => key.kid)).toEqual(expect.arrayContaining([corpus.keys.rsa.kid, corpus.keys.ecEnc.kid, corpus.keys.hmac.kid]));
  });

  it('shows terminal escape sequences from a capture as text, never as control characters', async () => {
    const escapes = '\u001b]52;c;cGF5bG9hZA==\u0007\u001b[2J\u001b]0;owned\u0007\r';
    const path = join(corpus.store.dir, 'escapes.har');
    writeFileSync(path, harText([{ method: 'POST', url: 'https://a.test/\u001b[31mred', headers: { 'X-Note': escapes }, body: `{"note":"${escapes.replace(/[\u0000-\u001f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"}` }]));
    const capture = await importCapture(corpus.store.session, { path });
    const shown = await signet(['capture', 'show', capture.id, '--exchange', '0'], { store: corpus.store.path });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('X-Note');
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(shown.stdout).toContain('\\x1b]52;c;');
  });
});
