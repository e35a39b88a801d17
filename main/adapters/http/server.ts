import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dispatchResult } from '../../api/dispatch.ts';
import { httpStatusFor, SignetError, toErrorBody } from '../../core/errors.ts';
import type { Session } from '../../services/session.ts';
import { removeUploads, saveUpload, sweepStaleUploads } from '../../services/uploads.ts';

/**
 * Browser mode: the renderer and the contract over HTTP on 127.0.0.1 only. Every API request must
 * carry the random token; Host and Origin are checked so a web page cannot reach the server through
 * DNS rebinding or a cross-site request, and no CORS header ever lets another origin read an answer.
 */
export interface ServerOptions {
  session: Session;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  token?: string;
  /** Largest accepted request body (bytes). */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  /** The URL to open: carries the token once; the page moves it out of the address bar. */
  openUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** Compares tokens in constant time (by their hashes, so the lengths need not match). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function send(response: ServerResponse, status: number, body: string | Buffer, contentType = 'application/json; charset=utf-8'): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  send(response, status, JSON.stringify({ ok: false, error: { code, message } }));
}

/** A percent-decoded path, or undefined when its encoding is broken (a client error, not a 500). */
function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function listenFailure(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') return new SignetError('ERR_BAD_INPUT', `port ${port} is in use on 127.0.0.1: choose another with --port, or leave --port out for a free one`);
  if (error.code === 'EACCES') return new SignetError('ERR_BAD_INPUT', `port ${port} needs privileges this user does not have: choose one above 1023`);
  return error;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const rendererRoot = normalize(options.rendererDir);
  sweepStaleUploads();
  let allowedHosts: Set<string> = new Set();
  let origins: Set<string> = new Set();

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendError(response, 500, 'ERR_INTERNAL', 'internal error');
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // DNS rebinding: a hostile name resolving to 127.0.0.1 still sends its own name as Host.
    if (!allowedHosts.has(request.headers.host ?? '')) return sendError(response, 421, 'ERR_BAD_HOST', 'unexpected Host header');
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) return sendError(response, 403, 'ERR_BAD_ORIGIN', 'cross-origin requests are refused');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');

    const authorized = () => {
      const given = request.headers['x-signet-token'];
      return typeof given === 'string' && tokensMatch(given, token);
    };

    // A capture dropped on the console: streamed to a private temporary file, imported by its id.
    if (url.pathname === '/upload') {
      if (request.method !== 'PUT') return sendError(response, 405, 'ERR_BAD_INPUT', 'use PUT');
      if (!authorized()) return sendError(response, 401, 'ERR_TOKEN', 'missing or wrong token');
      try {
        return send(response, 200, JSON.stringify({ ok: true, value: await saveUpload(request) }));
      } catch (error) {
        const body = toErrorBody(error);
        return sendError(response, httpStatusFor(body.code), body.code, body.message);
      }
    }

    if (url.pathname.startsWith('/api/')) {
      if (request.method !== 'POST') return sendError(response, 405, 'ERR_BAD_INPUT', 'use POST');
      if (!authorized()) return sendError(response, 401, 'ERR_TOKEN', 'missing or wrong token');
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return sendError(response, 415, 'ERR_BAD_INPUT', 'send application/json');
      const body = await readBody(request, maxBody);
      if (body === undefined) return sendError(response, 413, 'ERR_TOO_LARGE', `request body larger than ${maxBody} bytes`);
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendError(response, 400, 'ERR_BAD_INPUT', 'request body is not JSON');
      }
      const result = await dispatchResult(options.session, decodePath(url.pathname.slice(5)) ?? '', input);
      return send(response, result.ok ? 200 : httpStatusFor(result.error.code), JSON.stringify(result));
    }

    if (request.method !== 'GET' && request.method !== 'HEAD') return sendError(response, 405, 'ERR_BAD_INPUT', 'method not allowed');
    return serveStatic(url.pathname, response);
  }

  async function serveStatic(pathname: string, response: ServerResponse): Promise<void> {
    const decoded = decodePath(pathname);
    if (decoded === undefined) return sendError(response, 404, 'ERR_NOT_FOUND', 'not found');
    const relative = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(rendererRoot, relative));
    if (!file.startsWith(rendererRoot + sep)) return sendError(response, 404, 'ERR_NOT_FOUND', 'not found');
    try {
      const body = await readFile(file);
      send(response, 200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      // The SPA has one page: unknown paths without an extension get it, assets 404.
      if (extname(file) === '') return serveStatic('/', response);
      sendError(response, 404, 'ERR_NOT_FOUND', 'not found');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(error, options.port ?? 0)));
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    openUrl: `${url}#token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(removeUploads),
  };
}
