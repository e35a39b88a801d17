import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ENTRY_BYTES } from '../../../main/core/traffic/exchange.ts';
import type { WorkerReply, WorkerRequest } from '../../../main/services/inspection-pool.ts';
import { inspectionContext } from '../../../main/services/inspection.ts';
import { resolverSnapshot } from '../../../main/services/key-resolver.ts';
import { harEntry } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { merchantKeys, sign } from '../captures/fixtures.ts';

// The desktop build names the inspection worker as an entry of its own, next to the chunks that
// start it (services/worker-entry.ts looks beside its own chunk): without it the app would inspect
// big captures on its main thread. This starts the built worker as the app does and has it check
// one signed exchange.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = `${ROOT}out/main/inspection-worker.js`;
let store: TempStore;

beforeAll(() => {
  if (!existsSync(WORKER)) execFileSync(process.execPath, [`${ROOT}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);
afterAll(() => store?.cleanup());

describe('the Electron build of the inspection worker', () => {
  it('sits next to the main bundle and verifies a batch', async () => {
    store = await tempStore();
    const { session } = store;
    const { rsa } = await merchantKeys(session);
    const ctx = inspectionContext(session);
    const entry = Buffer.from(JSON.stringify(harEntry({ method: 'POST', url: 'https://api.test/orders', startedAt: ctx.now.toISOString(), body: await sign(session, rsa, '{"order":1}') })));
    const worker = new Worker(WORKER);
    try {
      const reply = new Promise<WorkerReply>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const setup: WorkerRequest = { type: 'setup', setup: { settings: ctx.settings, resolver: resolverSnapshot(session), nowMs: ctx.now.getTime(), maxEntryBytes: DEFAULT_MAX_ENTRY_BYTES, withExchanges: false } };
      const bytes = new Uint8Array(entry).buffer;
      worker.postMessage(setup);
      worker.postMessage({ type: 'batch', batch: { id: 7, bytes, units: [{ kind: 'entry', index: 0, offset: 0, start: 0, length: entry.length }] } } satisfies WorkerRequest, [bytes]);
      const result = await reply;
      expect(result.type === 'result' && result.id).toBe(7);
      expect(result.type === 'result' && result.items.map((item) => item.findings.map((finding) => [finding.scheme, finding.verdict]))).toEqual([[['jws', 'valid']]]);
    } finally {
      await worker.terminate();
    }
  });
});
