import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VERDICTS } from '../../../main/core/inspect/findings.ts';
import { importCapture, verifyCapture } from '../../../main/services/captures.ts';
import { lockKeystore } from '../../../main/services/keystore.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { everyVerdict } from './mixed-capture.ts';

let store: TempStore;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => store.cleanup());

async function mixedCapture(rounds: number): Promise<string> {
  return writeCapture(store.dir, 'mixed.har', harText(await everyVerdict(store.session, rounds)));
}

describe('verification on worker threads', () => {
  it('gives the same report as one thread on a capture with every scheme and verdict', async () => {
    // Large enough that each worker holds two batches at once (their checks interleave at every await),
    // with the keystore unlocked so that HMAC nonces are recorded in the workers.
    const path = await mixedCapture(200);
    const here = await verifyCapture(store.session, { path, workers: 0 });
    for (let run = 0; run < 2; run++) expect(await verifyCapture(store.session, { path, workers: 2 })).toEqual(here);
    expect(Object.keys(here.summary).sort()).toEqual([...VERDICTS].sort());
  });

  it('reports a nonce reused in a later batch, handled by another worker, as a replay', async () => {
    const path = await mixedCapture(60);
    const report = await verifyCapture(store.session, { path, workers: 2 });
    const reused = report.findings.filter((finding) => finding.scheme === 'hmac-opg' && finding.detail.includes('n-reused'));
    expect(reused.length).toBe(59);
    expect(new Set(reused.map((finding) => finding.verdict))).toEqual(new Set(['replay']));
    expect(reused.at(-1)?.exchange).toBeGreaterThan(1500);
  });

  it('gives the same report with the keystore locked (HMAC secrets are then never sent to workers)', async () => {
    const path = await mixedCapture(20);
    lockKeystore(store.session);
    const here = await verifyCapture(store.session, { path, workers: 0 });
    expect(await verifyCapture(store.session, { path, workers: 2 })).toEqual(here);
    expect(here.findings.some((finding) => finding.scheme === 'hmac-opg' && finding.verdict === 'unknown-key')).toBe(true);
  });

  it('gives the same report from the CLI bundle, whose workers run the bundled worker entry', async () => {
    const path = await mixedCapture(200);
    expect(statSync(path).size).toBeGreaterThan(4 * 1024 * 1024); // large enough for the CLI to use workers
    // With a passphrase the CLI unlocks (HMAC secrets, JWE keys); without one it runs locked.
    const unlocked = await verifyCapture(store.session, { path, workers: 0 });
    const cli = await signet(['capture', 'verify', path, '--json'], { store: store.path });
    expect(cli.stderr).toBe('');
    expect(cli.json()).toEqual(JSON.parse(JSON.stringify(unlocked)));
    lockKeystore(store.session);
    const locked = await verifyCapture(store.session, { path, workers: 0 });
    const cliLocked = await signet(['capture', 'verify', path, '--json'], { store: store.path, env: { SIGNET_PASSPHRASE: undefined } });
    expect(cliLocked.json()).toEqual(JSON.parse(JSON.stringify(locked)));
    expect(locked.summary).not.toEqual(unlocked.summary);
  });

  it('inspects raw HTTP captures on workers too', async () => {
    const { sign, merchantKeys } = await import('../captures/fixtures.ts');
    const keys = await merchantKeys(store.session);
    const body = await sign(store.session, keys.rsa, '{"order":1}');
    const exchange = `POST /orders HTTP/1.1\r\nHost: api.klix.test\r\nContent-Length: ${body.length}\r\n\r\n${body}\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n`;
    const path = writeCapture(store.dir, 'pasted.http', exchange.repeat(1200));
    const here = await verifyCapture(store.session, { path, workers: 0 });
    expect(await verifyCapture(store.session, { path, workers: 2 })).toEqual(here);
    expect(here.summary).toEqual({ valid: 1200 });
  });

  it('stores the same findings when importing on workers', async () => {
    const path = await mixedCapture(30);
    const verified = await verifyCapture(store.session, { path, workers: 0 });
    const capture = await importCapture(store.session, { path, workers: 2 });
    expect(capture.exchangeCount).toBe(verified.exchanges);
    expect(store.session.captures.findings(capture.id)).toEqual(verified.findings);
  });

  it('reports progress and stops cleanly when cancelled, leaving nothing stored', async () => {
    const path = await mixedCapture(40);
    const controller = new AbortController();
    const seen: number[] = [];
    const importing = importCapture(store.session, {
      path,
      workers: 2,
      signal: controller.signal,
      onProgress: ({ bytesRead }) => {
        seen.push(bytesRead);
        controller.abort();
      },
    });
    await expect(importing).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(seen.length).toBeGreaterThan(0);
    expect(store.session.db.prepare('SELECT count(*) AS n FROM exchanges').get()).toEqual({ n: 0 });
    expect(store.session.db.prepare('SELECT count(*) AS n FROM captures').get()).toEqual({ n: 0 });
  });

  it('raises a truncated file after the entries read before the cut, as one thread does', async () => {
    const text = harText(Array.from({ length: 3000 }, (_, index) => ({ url: `https://a.test/${index}` })));
    const path = writeCapture(store.dir, 'cut.har', text.slice(0, Math.floor(text.length * 0.8)));
    const seen: number[] = [];
    const { inspectFile } = await import('../../../main/services/inspection.ts');
    const reading = (async () => {
      for await (const item of inspectFile(store.session, { path, workers: 2 })) seen.push(item.kind === 'exchange' ? item.index : -1);
    })();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED' });
    expect(seen.length).toBeGreaterThan(2000);
    expect(seen).toEqual(seen.map((_, index) => index));
  });
});
