import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../main/core/inspect/findings.ts';
import { verifyCapture } from '../../../main/services/captures.ts';
import { Session } from '../../../main/services/session.ts';
import { initKeystore } from '../../../main/services/keystore.ts';
import type { CaptureReport } from '../../../main/services/views.ts';
import { signet, SIGNET_BIN } from '../../support/cli.ts';
import { harText } from '../../support/capture.ts';
import { TEST_KDF, TEST_PASSPHRASE } from '../../support/store.ts';
import { encryptTo, merchantKeys, opgHeader, sign, unix } from './fixtures.ts';
import { resolveKey, secretOf } from '../../../main/services/key-records.ts';

let dir: string;
let store: string;
let goodHar: string;
let badHar: string;
let manyHar: string;
let manyReport: CaptureReport;
let secretsHar: string;
let hmacSecret: string;
/** A compact JWS by a stored key. */
let token: string;
const run = (args: string[]) => signet(args, { store });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-capture-cli-'));
  store = join(dir, 'keystore.db');
  const session = Session.open(store, { create: true, clock: () => new Date('2026-01-01T00:00:00Z') });
  await initKeystore(session, TEST_PASSPHRASE, TEST_KDF);
  const keys = await merchantKeys(session);
  const body = await sign(session, keys.rsa, '{"order":1}');
  token = body;
  // A request signed with a stored HMAC secret (which is also pasted into a header by mistake), and a
  // response encrypted to a stored key: both need the keystore unlocked.
  const opg = opgHeader(session, keys.hmac, { method: 'POST', uri: '/opg/pay', body: '{}', timestamp: unix('2026-06-01T12:00:00Z') });
  hmacSecret = secretOf(session, resolveKey(session, keys.hmac.id)).toString('utf8');
  secretsHar = join(dir, 'secrets.har');
  writeFileSync(
    secretsHar,
    harText([{ method: 'POST', url: 'https://api.onepoint.test/opg/pay', headers: { Authorization: opg, 'X-Debug': hmacSecret }, body: '{}', response: { body: await encryptTo(session, keys.enc, '{"pin":"1234"}') } }]),
  );
  goodHar = join(dir, 'good.har');
  writeFileSync(goodHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body }]));
  badHar = join(dir, 'bad.har');
  writeFileSync(badHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body: `${body.slice(0, -4)}AAAA` }]));
  // Enough findings for the streamed output to be written in several pieces: valid, invalid, and
  // exchanges without any (an unsigned body).
  const bodies = [body, `${body.slice(0, -4)}AAAA`, '{"order":1}'];
  manyHar = join(dir, 'many.har');
  writeFileSync(manyHar, harText(Array.from({ length: 120 }, (_, index) => ({ method: 'POST', url: `https://api.klix.test/orders/${index}`, body: bodies[index % 3] }))));
  session.close();
  // What the service reports when it keeps every finding, as the console asks for them.
  const reader = Session.open(store);
  manyReport = await verifyCapture(reader, { path: manyHar });
  reader.close();
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

  it('verify --json streams the findings the service reports, in order, with the exchange count and summary', async () => {
    const result = await run(['capture', 'verify', manyHar, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
    expect(manyReport.summary).toEqual({ valid: 40, invalid: 40 });
    expect(result.json()).toEqual(JSON.parse(JSON.stringify(manyReport)));
  }, 60_000);

  it('verify prints a row per finding in fixed columns under one header, then the summary line', async () => {
    const result = await run(['capture', 'verify', manyHar]);
    expect(result.code).toBe(1);
    const [header = '', ...lines] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^EXCH +DIR +SCHEME +WHERE +VERDICT +KID +DETAIL$/);
    const rows = lines.slice(0, -2);
    const cell = (row: string, name: string) => row.slice(header.indexOf(name)).split(' ')[0];
    expect(rows.map((row) => [Number(cell(row, 'EXCH')), cell(row, 'SCHEME'), cell(row, 'VERDICT')])).toEqual(manyReport.findings.map((finding) => [finding.exchange, finding.scheme, finding.verdict]));
    const summary = Object.entries(manyReport.summary).map(([verdict, count]) => `${count} ${verdict}`).join(', ');
    expect(lines.slice(-2)).toEqual(['', `120 exchanges, ${manyReport.findings.length} findings: ${summary}`]);
  }, 60_000);

  it('verify --json of a truncated capture is one document: the findings read before the cut, then the error', async () => {
    const text = readFileSync(manyHar, 'utf8');
    const truncated = join(dir, 'truncated.har');
    writeFileSync(truncated, text.slice(0, text.lastIndexOf('"startedDateTime"'))); // inside the last entry
    const result = await run(['capture', 'verify', truncated, '--json']);
    expect(result.code).toBe(2);
    const output = result.json<{ findings: Finding[]; error: { code: string; message: string } }>();
    expect(output.error.code).toBe('ERR_HAR_MALFORMED');
    expect(output.findings).toEqual(JSON.parse(JSON.stringify(manyReport.findings.filter((finding) => finding.exchange < 119))));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('verify stops quietly when its reader goes away (`| head`), with the status of a broken pipe', async () => {
    // Output well over what a pipe holds (64 KiB), so the writer meets the closed end.
    const large = join(dir, 'large.har');
    writeFileSync(large, harText(Array.from({ length: 3000 }, (_, index) => ({ method: 'POST', url: `https://api.klix.test/orders/${index}`, body: `eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0.e30.${'A'.repeat(342)}` }))));
    const result = await signet(['capture', 'verify', large, '--json'], { store, readBytes: 1000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
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

  it('verify and import unlock with the passphrase given, to check HMAC signatures and decrypt JWE', async () => {
    const verified = await run(['capture', 'verify', secretsHar, '--json']);
    expect(verified.json<CaptureReport>().findings.map((finding) => [finding.scheme, finding.verdict])).toEqual([
      ['hmac-opg', 'valid'],
      ['jwe', 'decrypted'],
    ]);
    const imported = await run(['capture', 'import', secretsHar, '--json']);
    expect(imported.json<{ summary: Record<string, number> }>().summary).toEqual({ valid: 1, decrypted: 1 });
    expect((await run(['capture', 'delete', imported.json<{ id: string }>().id])).code).toBe(0);
  }, 60_000);

  it('verify without a passphrase or a terminal runs locked, and its findings say why', async () => {
    const verified = await signet(['capture', 'verify', secretsHar, '--json'], { store, env: { SIGNET_PASSPHRASE: undefined } });
    expect(verified.code).toBe(0);
    expect(verified.json<CaptureReport>().findings).toEqual([
      expect.objectContaining({ scheme: 'hmac-opg', verdict: 'unknown-key', detail: expect.stringMatching(/locked/) }),
      expect.objectContaining({ scheme: 'jwe', verdict: 'undecryptable' }),
    ]);
  }, 60_000);

  it('verify --strict fails what could not be checked (a key not held, a JWE not opened); without it that passes', async () => {
    const locked = { store, env: { SIGNET_PASSPHRASE: undefined } };
    expect((await signet(['capture', 'verify', secretsHar], locked)).code).toBe(0);
    expect((await signet(['capture', 'verify', secretsHar, '--strict'], locked)).code).toBe(1);
    expect((await run(['capture', 'verify', secretsHar, '--strict'])).code).toBe(0);
  }, 60_000);

  it('export asks for the passphrase, rather than risk a stored HMAC secret pasted into the traffic', async () => {
    const imported = (await run(['capture', 'import', secretsHar, '--json'])).json<{ id: string }>();
    const out = join(dir, 'secrets-sanitized.har');
    const locked = await signet(['capture', 'export', imported.id, '--sanitized', '--out', out], { store, env: { SIGNET_PASSPHRASE: undefined } });
    expect({ code: locked.code, stderr: locked.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/a passphrase is needed/) });
    expect(existsSync(out)).toBe(false);
    expect((await run(['capture', 'export', imported.id, '--sanitized', '--out', out])).code).toBe(0);
    const exported = readFileSync(out, 'utf8');
    expect(exported).not.toContain(hmacSecret);
    expect(exported).toContain('[redacted secret]');
    expect((await run(['capture', 'delete', imported.id])).code).toBe(0);
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

  it('says "1 exchange", not "1 exchanges"', async () => {
    expect((await run(['capture', 'verify', goodHar])).stdout.trimEnd().split('\n').at(-1)).toBe('1 exchange, 1 finding: 1 valid');
    const imported = await run(['capture', 'import', goodHar]);
    expect(imported.stdout).toMatch(/^Imported (c_\w+) "good.har": 1 exchange; 1 valid\.\n$/);
    const id = /^Imported (c_\w+)/.exec(imported.stdout)?.[1] ?? '';
    expect((await run(['capture', 'show', id])).stdout).toContain(`good.har (${id}): 1 exchange, 1 valid`);
    expect((await run(['capture', 'delete', id])).code).toBe(0);
  }, 60_000);

  it('show pages through every exchange with --offset and --limit, past what one call of the contract returns', async () => {
    const big = join(dir, 'rows.har');
    writeFileSync(big, harText(Array.from({ length: 1205 }, (_, index) => ({ url: `https://api.klix.test/rows/${index}` }))));
    const { id } = (await run(['capture', 'import', big, '--json'])).json<{ id: string }>();
    const indices = (output: { exchanges: { index: number }[] }) => output.exchanges.map((row) => row.index);
    const first = await run(['capture', 'show', id]);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('… 205 more (--offset 1000 for the next 205)');
    const all = (await run(['capture', 'show', id, '--limit', '2000', '--json'])).json<{ exchanges: { index: number }[]; total: number }>();
    expect({ total: all.total, indices: indices(all) }).toEqual({ total: 1205, indices: Array.from({ length: 1205 }, (_, index) => index) });
    const page = (await run(['capture', 'show', id, '--offset', '1200', '--limit', '3', '--json'])).json<{ exchanges: { index: number }[]; offset: number }>();
    expect({ offset: page.offset, indices: indices(page) }).toEqual({ offset: 1200, indices: [1200, 1201, 1202] });
    const rows = (await run(['capture', 'show', id, '--offset', '1200', '--limit', '3'])).stdout.trimEnd().split('\n');
    expect(rows.slice(-4).map((row) => row.split(' ')[0])).toEqual(['1200', '1201', '1202', '…']);
    expect(rows.at(-1)).toBe('… 2 more (--offset 1203 for the next 2)');
    expect((await run(['capture', 'delete', id])).code).toBe(0);
  }, 60_000);

  it('show --exchange says when a body it prints is cut', async () => {
    const body = `{"blob":"${'x'.repeat(300_000)}"}`;
    const large = join(dir, 'large-body.har');
    writeFileSync(large, harText([{ method: 'POST', url: 'https://api.klix.test/blob', body }]));
    const { id } = (await run(['capture', 'import', large, '--json'])).json<{ id: string }>();
    const shown = await run(['capture', 'show', id, '--exchange', '0']);
    expect(shown.stdout).toContain(`(body cut at ${256 * 1024} of ${body.length} bytes; capture export --sanitized writes it whole)`);
    expect((await run(['capture', 'delete', id])).code).toBe(0);
  }, 60_000);

  it('verify of a raw capture with a stale Content-Length judges no signature over the wrong bytes and keeps the numbering', async () => {
    // A gzip length left on a body shown decoded (shorter than the token), then the same exchange well framed.
    const response = (length: number) => `HTTP/1.1 200 OK\r\nContent-Type: application/jose\r\nContent-Encoding: gzip\r\nContent-Length: ${length}\r\n\r\n${token}\r\n\r\n`;
    const raw = join(dir, 'stale-length.http');
    writeFileSync(raw, `GET /a HTTP/1.1\r\nHost: api.klix.test\r\n\r\n${response(120)}GET /b HTTP/1.1\r\nHost: api.klix.test\r\n\r\n${response(token.length)}`);
    const findings = (await run(['capture', 'verify', raw, '--json'])).json<CaptureReport>().findings;
    expect(findings.map((finding) => [finding.exchange, finding.direction, finding.scheme, finding.location, finding.verdict])).toEqual([
      [0, 'response', 'capture', 'body', 'malformed'],
      [1, 'response', 'jws', 'body', 'valid'],
    ]);
    expect(findings[0]?.detail).toBe(`Content-Length 120 disagrees with the text (the text goes on for ${token.length - 120} bytes past it before the next message; with Content-Encoding gzip, the body was probably pasted decoded)`);
  }, 60_000);

  it('exits 130 when interrupted (Ctrl+C) part-way through a capture, as shells report SIGINT', async () => {
    // Enough findings to fill the pipe: with stdout not read, the command blocks on its output part-way
    // through the file, so the interrupt lands while the capture is still being read, whatever the timing.
    // Under 4 MiB, so it is read on one thread, no further ahead than its output.
    const long = join(dir, 'long.har');
    writeFileSync(long, harText(Array.from({ length: 4000 }, (_, index) => ({ method: 'POST', url: `https://api.klix.test/orders/${index}`, body: `eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0.e30.${'A'.repeat(40)}` }))));
    expect(statSync(long).size).toBeLessThan(4 * 1024 * 1024);
    const child = spawn(process.execPath, [SIGNET_BIN, 'capture', 'verify', long], { env: { ...process.env, SIGNET_STORE: store, SIGNET_PASSPHRASE: TEST_PASSPHRASE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    child.stdout.pause(); // the first rows show the interrupt handler is in place (it is set before any output)
    expect(first.toString('utf8')).toMatch(/^EXCH/);
    child.kill('SIGINT');
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 130, stderr: expect.stringMatching(/cancelled|stopped/) as unknown });
  }, 120_000);
});
