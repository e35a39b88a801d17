import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initKeystore } from '../../../main/services/keystore.ts';
import { Session } from '../../../main/services/session.ts';
import { removeUploads, saveStdin } from '../../../main/services/uploads.ts';
import type { CaptureView } from '../../../main/services/views.ts';
import { signet, SIGNET_BIN } from '../../support/cli.ts';
import { harText } from '../../support/capture.ts';
import { TEST_KDF, TEST_PASSPHRASE } from '../../support/store.ts';
import { when, type Running } from '../crash/support.ts';
import { merchantKeys, sign } from './fixtures.ts';

// `capture verify -` and `capture import -`: the capture is piped in, copied to a private temporary
// file and read from there. The runs get a TMPDIR of their own, so that a copy left behind there (it
// holds credentials in clear) is seen, and nothing of other processes is.
let dir: string;
let store: string;
let spoolDir: string;
let goodHar: string;
let badHar: string;
const RAW = 'POST /orders HTTP/1.1\r\nHost: api.klix.test\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"order":1}\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n';

const env = () => ({ ...process.env, SIGNET_STORE: store, SIGNET_PASSPHRASE: TEST_PASSPHRASE, NO_COLOR: '1', TMPDIR: spoolDir });
const piped = (args: string[], input: string) => signet(args, { store, input, env: { TMPDIR: spoolDir } });
const outcome = ({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }) => ({ code, stdout, stderr });
/** The copies' folders in the runs' TMPDIR. */
const spoolFolders = () => readdirSync(spoolDir).filter((name) => name.startsWith('signet-uploads-'));

/** The CLI with its standard input left open, to be written to and interrupted part-way. */
function startPiped(args: string[]): Running & { stdin: NodeJS.WritableStream } {
  const child = spawn(process.execPath, [SIGNET_BIN, ...args], { env: env(), stdio: ['pipe', 'ignore', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr: Buffer.concat(stderr).toString('utf8') })),
  );
  return { child, exited, stdin: child.stdin };
}

/** The copy being written, once it holds something: then the interrupt handler is in place (it is set first). */
function spoolFile(): string | undefined {
  for (const folder of spoolFolders()) {
    const path = join(spoolDir, folder, 'stdin');
    if (readdirSync(join(spoolDir, folder)).includes('stdin') && statSync(path).size > 0) return path;
  }
  return undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-capture-stdin-'));
  store = join(dir, 'keystore.db');
  spoolDir = join(dir, 'tmp');
  mkdirSync(spoolDir);
  const session = Session.open(store, { create: true, clock: () => new Date('2026-01-01T00:00:00Z') });
  await initKeystore(session, TEST_PASSPHRASE, TEST_KDF);
  const body = await sign(session, (await merchantKeys(session)).rsa, '{"order":1}');
  session.close();
  goodHar = join(dir, 'good.har');
  writeFileSync(goodHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body }]));
  badHar = join(dir, 'bad.har');
  writeFileSync(badHar, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body: `${body.slice(0, -4)}AAAA` }]));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signet capture verify - and import - (a capture piped to standard input)', () => {
  afterEach(() => {
    expect(spoolFolders()).toEqual([]);
  });

  it('verify - prints what verifying the same file prints, with its exit code', async () => {
    for (const file of [goodHar, badHar]) {
      for (const json of [['--json'], []]) {
        const expected = await signet(['capture', 'verify', file, ...json], { store });
        expect(outcome(await piped(['capture', 'verify', '-', ...json], readFileSync(file, 'utf8')))).toEqual(outcome(expected));
      }
    }
  }, 60_000);

  it('verify - reads raw HTTP, as curl -v output is piped', async () => {
    const raw = join(dir, 'pasted.http');
    writeFileSync(raw, RAW);
    const expected = await signet(['capture', 'verify', raw, '--json'], { store });
    expect(expected.json()).toMatchObject({ exchanges: 1 });
    expect(outcome(await piped(['capture', 'verify', '-', '--json'], RAW))).toEqual(outcome(expected));
  }, 60_000);

  it('import - stores the capture as "stdin", or under --name, never under the temporary file', async () => {
    const imported = (await piped(['capture', 'import', '-', '--json'], readFileSync(goodHar, 'utf8'))).json<CaptureView>();
    expect(imported).toMatchObject({ name: 'stdin', fileName: 'stdin', format: 'har', exchangeCount: 1, summary: { valid: 1 } });
    const named = (await piped(['capture', 'import', '-', '--name', 'run42', '--json'], RAW)).json<CaptureView>();
    expect(named).toMatchObject({ name: 'run42', fileName: 'stdin', format: 'raw-http', exchangeCount: 1 });
    const listed = (await signet(['capture', 'list', '--json'], { store })).json<CaptureView[]>();
    expect(listed.map((capture) => [capture.id, capture.name])).toEqual(expect.arrayContaining([[imported.id, 'stdin'], [named.id, 'run42']]));
  }, 60_000);

  it('an empty standard input gets the error an empty file gets', async () => {
    const empty = join(dir, 'empty.har');
    writeFileSync(empty, '');
    for (const command of ['verify', 'import']) {
      const expected = await signet(['capture', command, empty], { store });
      expect(expected.code).toBe(2);
      expect(outcome(await piped(['capture', command, '-'], ''))).toEqual(outcome(expected));
    }
  }, 60_000);

  it.skipIf(process.platform !== 'linux')('refuses a terminal as standard input at once, rather than wait for a capture typed there', async () => {
    // util-linux `script` runs the command on a new pseudo-terminal: a CLI that waited for input would hang the test.
    const command = [process.execPath, SIGNET_BIN, 'capture', 'verify', '-'].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, output: output.trim() }).toEqual({ code: 2, output: 'signet capture verify: no capture is piped to standard input: pipe one into the command, or give its file instead of "-"' });
  }, 60_000);

  it('import - without a passphrase at hand fails before it copies anything (the input is still coming)', async () => {
    const child = spawn(process.execPath, [SIGNET_BIN, 'capture', 'import', '-'], { env: { ...env(), SIGNET_PASSPHRASE: '' }, stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.write(readFileSync(goodHar, 'utf8').slice(0, 100));
    const [code] = (await once(child, 'exit')) as [number | null];
    child.stdin.destroy();
    expect({ code, stderr: Buffer.concat(stderr).toString('utf8') }).toEqual({ code: 2, stderr: expect.stringMatching(/^signet capture import: a passphrase is needed/) });
  }, 60_000);

  it('removes the copy when the reader of the output goes away (exit 141, as `| head` does)', async () => {
    const entry = JSON.parse(readFileSync(goodHar, 'utf8')).log.entries[0];
    const many = JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: Array.from({ length: 3000 }, () => entry) } });
    const result = await signet(['capture', 'verify', '-'], { store, input: many, env: { TMPDIR: spoolDir }, readBytes: 200 });
    expect(result.code).toBe(141);
  }, 60_000);

  it('exits 130 when interrupted (Ctrl+C) while the capture is still coming, and removes the copy made so far', async () => {
    const stored = (await signet(['capture', 'list', '--json'], { store })).json<CaptureView[]>();
    const running = startPiped(['capture', 'import', '-']);
    running.stdin.write('{"log":{"version":"1.2","entries":[');
    expect(await when(running, () => spoolFile() !== undefined)).toBe(true);
    // Private while it exists: the folder is the owner's alone, the file readable by the owner only.
    const file = spoolFile() ?? '';
    expect([statSync(join(file, '..')).mode & 0o777, statSync(file).mode & 0o777]).toEqual([0o700, 0o600]);
    running.child.kill('SIGINT');
    const { code, stderr } = await running.exited;
    expect({ code, stderr }).toEqual({ code: 130, stderr: 'signet capture import: reading the capture on standard input was cancelled\n' });
    expect((await signet(['capture', 'list', '--json'], { store })).json<CaptureView[]>()).toEqual(stored);
  }, 60_000);

  it('exits 130 when interrupted while the copy is being verified, and removes it', async () => {
    // As in cli.test.ts: with stdout not read, the command blocks on its output part-way through the
    // capture, so the interrupt lands while it is read, whatever the timing. Under 4 MiB: one thread.
    const text = harText(Array.from({ length: 4000 }, (_, index) => ({ method: 'POST', url: `https://api.klix.test/orders/${index}`, body: `eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0.e30.${'A'.repeat(40)}` })));
    expect(Buffer.byteLength(text)).toBeLessThan(4 * 1024 * 1024);
    const child = spawn(process.execPath, [SIGNET_BIN, 'capture', 'verify', '-'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.end(text);
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    child.stdout.pause();
    expect(first.toString('utf8')).toMatch(/^EXCH/);
    expect(spoolFile()).toBeDefined();
    child.kill('SIGINT');
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 130, stderr: expect.stringMatching(/cancelled|stopped/) as unknown });
  }, 60_000);

  it('a copy left by a run that was killed outright goes at the next run that reads standard input', async () => {
    const running = startPiped(['capture', 'verify', '-']);
    running.stdin.write('GET / HTTP/1.1\r\n');
    expect(await when(running, () => spoolFile() !== undefined)).toBe(true);
    running.child.kill('SIGKILL');
    await running.exited;
    expect(spoolFolders()).toHaveLength(1);
    expect((await piped(['capture', 'verify', '-'], RAW)).code).toBe(0);
  }, 60_000);
});

describe('saveStdin (the copy of standard input)', () => {
  it('stops reading as soon as the input passes the limit, with ERR_TOO_LARGE, and keeps nothing of it', async () => {
    // An endless input: copying on past the limit would never end.
    const endless = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(64 * 1024, 0x41);
      })(),
    );
    const limit = 1024 * 1024;
    await expect(saveStdin(endless, { limit })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE', message: 'the capture on standard input is larger than 1 MiB, the most Signet copies to a temporary file' });
    const ours = readdirSync(tmpdir()).filter((name) => name.startsWith(`signet-uploads-${process.pid}-`));
    expect(ours.flatMap((folder) => readdirSync(join(tmpdir(), folder)))).toEqual([]);
    await removeUploads();
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`signet-uploads-${process.pid}-`))).toEqual([]);
  });
});
