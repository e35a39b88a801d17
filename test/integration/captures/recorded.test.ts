import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCapture } from '../../../main/services/captures.ts';
import { chromiumMissing, launchChromium } from '../../support/browser.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { claims, merchantKeys, sign } from './fixtures.ts';

// A capture recorded by a real browser (Chromium's HAR through Playwright's recordHar), not written by
// hand: a merchant page posts a signed order with a bearer token, the server answers with a response
// signed in a detached `Signature` header.
const skip = chromiumMissing();
let store: TempStore;
let server: Server;
let origin: string;

beforeAll(async () => {
  if (skip) return;
  store = await tempStore({ clock: () => new Date('2026-01-01T00:00:00Z') });
  const keys = await merchantKeys(store.session);
  const now = Math.floor(Date.now() / 1000);
  const order = await sign(store.session, keys.rsa, '{"order":42,"amount":"10.00"}');
  const token = await sign(store.session, keys.ec, claims({ sub: 'merchant', iat: now, exp: now + 3600 }));
  const accepted = '{"status":"accepted"}';
  const responseSignature = await sign(store.session, keys.ec, accepted, { detached: true });
  const page = `<!doctype html><title>merchant</title><script>
    fetch('/orders', { method: 'POST', headers: { 'Content-Type': 'application/jose', Authorization: 'Bearer ${token}' }, body: ${JSON.stringify(order)} })
      .then((r) => r.text()).then((t) => { document.title = 'done:' + t; });
  </script>`;
  server = createServer((request, response) => {
    if (request.url === '/') return response.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    request.resume();
    request.on('end', () => response.writeHead(200, { 'Content-Type': 'application/json', Signature: responseSignature }).end(accepted));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  if (skip) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  store.cleanup();
});

describe.skipIf(skip)('a capture recorded by Chromium', () => {
  it('inspects as expected: signed order, valid token, signed response', async () => {
    const harPath = join(store.dir, 'recorded.har');
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
      const page = await context.newPage();
      await page.goto(origin);
      await page.waitForFunction("document.title.startsWith('done:')");
      await context.close();
    } finally {
      await browser.close();
    }
    const report = await verifyCapture(store.session, { path: harPath });
    const orderExchange = report.findings.filter((finding) => finding.scheme === 'jws' || finding.scheme === 'jwt' || finding.scheme === 'jws-detached');
    expect(orderExchange.map((finding) => [finding.scheme, finding.direction, finding.verdict])).toEqual([
      ['jwt', 'request', 'valid'],
      ['jws', 'request', 'valid'],
      ['jws-detached', 'response', 'valid'],
    ]);
  }, 60_000);
});
