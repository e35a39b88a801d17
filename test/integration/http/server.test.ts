import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, startServer, type RunningServer } from '../../../main/adapters/http/server.ts';
import { checkUploadId, saveUpload, sweepStaleUploads, uploadPath } from '../../../main/services/uploads.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { fakeRenderer, rawRequest, type RawResponse } from './support.ts';

// The browser-mode server as a hostile page or a local process would meet it.
let store: TempStore;
let server: RunningServer;
let smallServer: RunningServer;
const seen: RawResponse[] = [];

beforeAll(async () => {
  store = await tempStore();
  const { rendererDir } = fakeRenderer(store.dir);
  server = await startServer({ session: store.session, rendererDir });
  smallServer = await startServer({ session: store.session, rendererDir, maxBodyBytes: 1024 });
});
afterAll(async () => {
  await server.close();
  await smallServer.close();
  store.cleanup();
});

async function send(options: Parameters<typeof rawRequest>[0]): Promise<RawResponse> {
  const response = await rawRequest(options);
  seen.push(response);
  return response;
}

function api(method: string, options: { token?: string | null; host?: string; origin?: string; body?: string; contentType?: string; target?: RunningServer } = {}): Promise<RawResponse> {
  const target = options.target ?? server;
  const headers: Record<string, string> = { 'Content-Type': options.contentType ?? 'application/json' };
  if (options.token !== null) headers['X-Signet-Token'] = options.token ?? target.token;
  if (options.origin) headers.Origin = options.origin;
  return send({ port: target.port, method: 'POST', path: `/api/${method}`, headers, body: options.body ?? '{}', ...(options.host && { host: options.host }) });
}

/** A refusal says why in one fixed sentence and carries nothing of the keystore. */
function expectRefusal(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  const body = JSON.parse(response.body) as { ok: boolean; error: { code: string; message: string }; value?: unknown };
  expect(body).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  expect(response.body).not.toContain(store.path);
  expect(response.body).not.toContain('initialized');
}

afterEach(() => {
  // No answer, refused or not, ever tells a browser another origin may read it.
  for (const response of seen.splice(0)) {
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  }
});

describe('the API token', () => {
  it('answers a request with the token (the control case)', async () => {
    const response = await api('keystore.status');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, value: { initialized: true } });
  });

  it('refuses a request without the token', async () => {
    expectRefusal(await api('keystore.status', { token: null }), 401, 'ERR_TOKEN');
  });

  it('refuses a wrong token of the same length', async () => {
    const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    expectRefusal(await api('keystore.status', { token: wrong }), 401, 'ERR_TOKEN');
  });

  it('refuses a prefix of the token and a longer token', async () => {
    expectRefusal(await api('keystore.status', { token: server.token.slice(0, 8) }), 401, 'ERR_TOKEN');
    expectRefusal(await api('keystore.status', { token: `${server.token}x` }), 401, 'ERR_TOKEN');
  });

  it('does not take a token from the URL for API calls', async () => {
    expectRefusal(await send({ port: server.port, method: 'POST', path: `/api/keystore.status?token=${server.token}`, headers: { 'Content-Type': 'application/json' }, body: '{}' }), 401, 'ERR_TOKEN');
  });

  it('runs nothing for a refused request (a lock call without the token leaves the keystore unlocked)', async () => {
    await api('keystore.lock', { token: null });
    expect(store.session.unlocked).toBe(true);
  });
});

describe('Host and Origin', () => {
  it('refuses a foreign Host even with the right token (DNS rebinding)', async () => {
    expectRefusal(await api('keystore.status', { host: `attacker.example:${server.port}` }), 421, 'ERR_BAD_HOST');
  });

  it('refuses a Host without the port, and no Host at all', async () => {
    expectRefusal(await api('keystore.status', { host: '127.0.0.1' }), 421, 'ERR_BAD_HOST');
    expectRefusal(await send({ port: server.port, path: '/', host: '' }), 421, 'ERR_BAD_HOST');
  });

  it('serves nothing, not even the page, to a foreign Host', async () => {
    expectRefusal(await send({ port: server.port, path: '/', host: `rebind.attacker.example:${server.port}` }), 421, 'ERR_BAD_HOST');
  });

  it('refuses a foreign Origin even with the right token', async () => {
    expectRefusal(await api('keystore.status', { origin: 'https://attacker.example' }), 403, 'ERR_BAD_ORIGIN');
  });

  it('refuses the opaque "null" Origin (sandboxed frames, file: pages)', async () => {
    expectRefusal(await api('keystore.status', { origin: 'null' }), 403, 'ERR_BAD_ORIGIN');
  });

  it('refuses another port on the same host as a foreign origin', async () => {
    expectRefusal(await api('keystore.status', { origin: `http://127.0.0.1:${smallServer.port}` }), 403, 'ERR_BAD_ORIGIN');
  });

  it('accepts its own origin', async () => {
    expect((await api('keystore.status', { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('answers a CORS preflight without any Access-Control-Allow header', async () => {
    const preflight = await send({
      port: server.port,
      method: 'OPTIONS',
      path: '/api/keystore.status',
      headers: { Origin: 'https://attacker.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-signet-token' },
    });
    expect(preflight.status).toBe(403);
  });
});

describe('the listening socket', () => {
  it('is announced on 127.0.0.1 only', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('listens on 127.0.0.1 and nothing else (kernel socket table)', () => {
    if (!existsSync('/proc/net/tcp')) return;
    const port = server.port.toString(16).toUpperCase().padStart(4, '0');
    const listening = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[1]?.endsWith(`:${port}`) && fields[3] === '0A')
        .map((fields) => fields[1]);
    expect(listening('/proc/net/tcp')).toEqual([`0100007F:${port}`]);
    if (existsSync('/proc/net/tcp6')) expect(listening('/proc/net/tcp6')).toEqual([]);
  });

  it.each(['127.0.0.2', '::1'])('refuses connections on another local address (%s)', async (address) => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: address, port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });
});

describe('request bodies', () => {
  it('refuses a body over the limit with 413 before dispatching it', async () => {
    const body = JSON.stringify({ passphrase: 'x'.repeat(2048) });
    expectRefusal(await api('keystore.unlock', { body, target: smallServer }), 413, 'ERR_TOO_LARGE');
  });

  it('refuses a body over the default 8 MiB limit', async () => {
    expectRefusal(await api('jose.decode', { body: JSON.stringify({ token: 'a'.repeat(9 * 1024 * 1024) }) }), 413, 'ERR_TOO_LARGE');
  });

  it('refuses a body that is not JSON, without echoing it', async () => {
    const response = await api('keystore.unlock', { body: '{"passphrase": SECRET-MARKER' });
    expectRefusal(response, 400, 'ERR_BAD_INPUT');
    expect(response.body).not.toContain('SECRET-MARKER');
  });

  it('refuses a form post (the one cross-site request a page can send without a preflight)', async () => {
    expectRefusal(await api('keystore.lock', { token: null, contentType: 'application/x-www-form-urlencoded', body: 'a=b' }), 401, 'ERR_TOKEN');
    expectRefusal(await api('keystore.lock', { contentType: 'text/plain', body: '{}' }), 415, 'ERR_BAD_INPUT');
  });

  it('answers GET on the API with 405 and runs nothing', async () => {
    expectRefusal(await send({ port: server.port, path: '/api/keystore.lock', headers: { 'X-Signet-Token': server.token } }), 405, 'ERR_BAD_INPUT');
    expect(store.session.unlocked).toBe(true);
  });

  it('answers a malformed percent-encoding in a method name with a client error, not a 500', async () => {
    const response = await send({ port: server.port, method: 'POST', path: '/api/keys.list%E0%A4%A', headers: { 'Content-Type': 'application/json', 'X-Signet-Token': server.token }, body: '{}' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('static files', () => {
  it('serves the page with the Content-Security-Policy and the other security headers', async () => {
    const page = await send({ port: server.port, path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('sends the CSP on API answers and refusals too', async () => {
    expect((await api('keystore.status')).headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect((await api('keystore.status', { token: null })).headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('has a CSP that allows no inline or remote script, no framing, no plugins', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it.each([
    '/../renderer-secrets.txt',
    '/%2e%2e/renderer-secrets.txt',
    '/assets/..%2f..%2frenderer-secrets.txt',
    '/..%2frenderer-private/key.pem',
    '/%2e%2e%2frenderer-private%2fkey.pem',
    '/..%5crenderer-secrets.txt',
    '/assets/%2e%2e/%2e%2e/renderer-secrets.txt',
    `/${'..%2f'.repeat(12)}etc/passwd`,
    '/%00index.html',
    '/assets/app.js%00.txt',
  ])('answers 404 to a path that leaves the renderer folder: %s', async (path) => {
    const response = await send({ port: server.port, path });
    expect(response.body).not.toContain('NOT-FOR-THE-BROWSER');
    expect(response.body).not.toContain('root:');
    expect(response.status).toBe(404);
  });

  it('answers a malformed percent-encoding in a file path with 404, not a 500', async () => {
    expect((await send({ port: server.port, path: '/assets/%E0%A4%A.js' })).status).toBe(404);
  });
});

describe('listening', () => {
  it('says plainly when the port is taken', async () => {
    await expect(startServer({ session: store.session, rendererDir: fakeRenderer(store.dir).rendererDir, port: server.port })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: `port ${server.port} is in use on 127.0.0.1: choose another with --port, or leave --port out for a free one`,
    });
  });
});

describe('uploads (a capture dropped on the console)', () => {
  const upload = (headers: Record<string, string>, body = '{"log":{"entries":[]}}') => send({ port: server.port, method: 'PUT', path: '/upload', headers, body });

  it('refuses an upload without the token', async () => {
    expectRefusal(await upload({}), 401, 'ERR_TOKEN');
  });

  it('refuses an upload from a foreign origin, even with the token', async () => {
    expectRefusal(await upload({ 'X-Signet-Token': server.token, Origin: 'https://attacker.example' }), 403, 'ERR_BAD_ORIGIN');
  });

  it('stores an upload with the token under a random id, never a name the client chose', async () => {
    const response = await upload({ 'X-Signet-Token': server.token, 'X-File-Name': '../../etc/passwd' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, value: { uploadId: expect.stringMatching(/^u_[0-9a-f]{24}$/) } });
  });

  it.each(['../../etc/passwd', 'u_../../x', '/tmp/x', 'u_0123'])('refuses %s as an upload id', async (id) => {
    expect(() => checkUploadId(id)).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
    await expect(uploadPath(id)).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });

  it('never stores in a folder someone else could have made first, and removes its uploads when the server stops', async () => {
    // The old predictable name, made in advance and open to all, as another local user could.
    const planted = join(tmpdir(), `signet-uploads-${process.pid}`);
    mkdirSync(planted, { mode: 0o777, recursive: true });
    try {
      const own = await startServer({ session: store.session, rendererDir: fakeRenderer(store.dir).rendererDir });
      const response = await send({ port: own.port, method: 'PUT', path: '/upload', headers: { 'X-Signet-Token': own.token }, body: '{"log":{"entries":[]}}' });
      const { uploadId } = (JSON.parse(response.body) as { value: { uploadId: string } }).value;
      const path = await uploadPath(uploadId);
      expect(dirname(path)).not.toBe(planted);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      expect(readdirSync(planted)).toEqual([]);
      await own.close();
      expect(existsSync(dirname(path))).toBe(false);
    } finally {
      rmSync(planted, { recursive: true, force: true });
    }
  });

  it('sweeps upload folders left by a server that was killed, and only those', () => {
    const dead = mkdtempSync(join(tmpdir(), 'signet-uploads-4194301-'));
    const alive = mkdtempSync(join(tmpdir(), `signet-uploads-${process.ppid}-`));
    try {
      sweepStaleUploads();
      expect([existsSync(dead), existsSync(alive)]).toEqual([false, true]);
    } finally {
      rmSync(dead, { recursive: true, force: true });
      rmSync(alive, { recursive: true, force: true });
    }
  });

  it('stops an upload over its limit with ERR_TOO_LARGE and keeps nothing of it', async () => {
    await expect(saveUpload(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });
});
