import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request exactly as given: node:http sends the Host, Origin and path it is told to (fetch would
 * normalise the path and refuse to set Host), which is what an attacker's client does too.
 */
export function rawRequest(options: { port: number; host?: string; method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; address?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        setHost: false,
        // A fresh connection each time: a refused upload may leave its connection closed by the server.
        agent: false,
        headers: { Host: options.host ?? `127.0.0.1:${options.port}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** A stand-in for the built renderer, and a file beside it that must never be served. */
export function fakeRenderer(dir: string): { rendererDir: string; secretOutside: string } {
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Signet</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {};');
  const secretOutside = join(dir, 'renderer-secrets.txt');
  writeFileSync(secretOutside, 'NOT-FOR-THE-BROWSER');
  mkdirSync(join(dir, 'renderer-private'), { recursive: true });
  writeFileSync(join(dir, 'renderer-private', 'key.pem'), 'NOT-FOR-THE-BROWSER');
  return { rendererDir, secretOutside };
}
