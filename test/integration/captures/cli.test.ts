import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../../main/services/session.ts';
import { initKeystore } from '../../../main/services/keystore.ts';
import { signet } from '../../support/cli.ts';
import { harText } from '../../support/capture.ts';
import { TEST_KDF, TEST_PASSPHRASE } from '../../support/store.ts';
import { merchantKeys, sign } from './fixtures.ts';

let dir: string;
let store: string;
let goodHar: string;
let badHar: string;
const run = (args: string[]) => signet(args, { store });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-capture-cli-'));
  store = join(dir, 'keystore.db');
  const session = Session.open(store, { create: true, clock: () => new Date('2026-01-01T00:00:00Z') });
  await initKeystore(session, TEST_PASSPHRASE, TEST_KDF);
  const keys = await merchantKeys(session);
  const body = await sign(session, keys.rsa, '{"order":1}');
  goodHar = join(dir, 'good.har');
  writeFileSync(goodHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body }]));
  badHar = join(dir, 'bad.har');
  writeFileSync(badHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body: `${body.slice(0, -4)}AAAA` }]));
  session.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signet capture', () => {
  it('verify --json prints the documented document and exits 0 when all is valid', async () => {
    const result = await run(['capture', 'verify', goodHar, '--json']);
    expect(result.code).toBe(0);
    const report = result.json<{ exchanges: number; findings: Record<string, unknown>[]; summary: Record<string, number> }>();
    expect(report).toMatchObject({ exchanges: 1, summary: { valid: 1 } });
    expect(Object.keys(report.findings[0] ?? {})).toEqual(expect.arrayContaining(['exchange', 'direction', 'scheme', 'location', 'verdict', 'kid', 'keyId', 'alg', 'detail']));
    expect(report.findings[0]).toMatchObject({ exchange: 0, direction: 'request', scheme: 'jws', location: 'body', verdict: 'valid', alg: 'RS256' });
  }, 60_000);

  it('verify exits 1 when a signature is invalid', async () => {
    const result = await run(['capture', 'verify', badHar]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('invalid');
  }, 60_000);

  it('verify exits 2 with a one-line reason for an unreadable file', async () => {
    const junk = join(dir, 'junk.har');
    writeFileSync(junk, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]));
    const result = await run(['capture', 'verify', junk]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('imports a raw HTTP capture, shows it, and exports it sanitized', async () => {
    const raw = join(dir, 'pasted.http');
    writeFileSync(raw, 'POST /orders HTTP/1.1\r\nHost: api.klix.test\r\nAuthorization: Bearer abc.def.ghi\r\nContent-Length: 2\r\n\r\n{}\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    const imported = await run(['capture', 'import', raw, '--name', 'pasted', '--json']);
    expect(imported.code).toBe(0);
    const capture = imported.json<{ id: string; format: string; exchangeCount: number }>();
    expect(capture).toMatchObject({ format: 'raw-http', exchangeCount: 1 });
    const shown = await run(['capture', 'show', capture.id, '--exchange', '0']);
    expect(shown.stdout).toContain('POST');
    const out = join(dir, 'pasted-sanitized.har');
    expect((await run(['capture', 'export', capture.id, '--sanitized', '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('abc.def.ghi');
    expect((await run(['capture', 'list', '--json'])).json<unknown[]>()).toHaveLength(1);
    expect((await run(['capture', 'delete', capture.id])).code).toBe(0);
  }, 60_000);
});
