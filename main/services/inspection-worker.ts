import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../core/errors.ts';
import { inspectForSettling, NonceRecorder } from '../core/inspect/deferred.ts';
import { malformedFinding } from '../core/inspect/inspector.ts';
import { snapshotResolver } from '../core/inspect/snapshot.ts';
import type { InspectionContext } from '../core/inspect/context.ts';
import { itemFromSlice } from '../core/traffic/har.ts';
import type { CaptureItem, Exchange } from '../core/traffic/exchange.ts';
import type { Batch, WorkerItem, WorkerReply, WorkerRequest, WorkerSetup } from './inspection-pool.ts';

/**
 * An inspection worker thread (started by inspection-pool.ts): parses HAR entries, runs every check
 * that needs no capture-wide state and no private key, and sends back findings with what is left
 * pending, batch by batch. It holds public keys and, while the keystore is unlocked, HMAC secrets.
 */

const port = parentPort;
let setup: WorkerSetup | undefined;
let ctx: InspectionContext | undefined;
const recorder = new NonceRecorder();

/**
 * Large entries become large strings and buffers that V8 counts as external memory, which it collects
 * only once 64 MiB of it has built up in a thread. On a 1 GiB capture that left ~70 MB of garbage per
 * worker (peak RSS 290 MB, over the 300 MiB budget once importing); collecting after every 16 MiB of
 * entries parsed keeps it near 30 MB for under 5% more CPU. `gc` is not exposed to workers by default
 * (and --expose-gc is refused in a worker's execArgv), hence the flag set here, in this thread only.
 */
const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;
let parsedSinceCollection = 0;
const collectGarbage = exposedGc();

function exposedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => gc() : undefined;
  } catch {
    return undefined;
  }
}

port?.on('message', (request: WorkerRequest) => {
  if (request.type === 'setup') {
    setup = request.setup;
    ctx = {
      settings: setup.settings,
      resolver: snapshotResolver(setup.resolver),
      nonces: recorder,
      now: new Date(setup.nowMs),
      ...(setup.atMs !== undefined && { at: new Date(setup.atMs) }),
    };
    return;
  }
  inspectBatch(request.batch).then(
    (items) => reply({ type: 'result', id: request.batch.id, items }),
    (error: unknown) => reply({ type: 'error', id: request.batch.id, error: toErrorBody(error) }),
  );
});

function reply(message: WorkerReply): void {
  port?.postMessage(message);
}

async function inspectBatch(batch: Batch): Promise<WorkerItem[]> {
  if (!setup || !ctx) throw new Error('inspection worker used before setup');
  for (const unit of batch.units) if (unit.kind === 'entry' && unit.start >= 0) parsedSinceCollection += unit.length;
  if (parsedSinceCollection >= COLLECT_EVERY_BYTES) {
    parsedSinceCollection = 0;
    collectGarbage?.();
  }
  const items: WorkerItem[] = [];
  for (const unit of batch.units) {
    let item: CaptureItem;
    if (unit.kind === 'entry') {
      const bytes = unit.start < 0 || !batch.bytes ? null : Buffer.from(batch.bytes, unit.start, unit.length);
      item = itemFromSlice({ index: unit.index, offset: unit.offset, length: unit.length, bytes }, setup.maxEntryBytes);
    } else {
      item = unit.item;
    }
    if (item.kind === 'malformed') {
      items.push({ index: item.entry.index, findings: [malformedFinding(item.entry)], pending: [], malformed: item.entry });
      continue;
    }
    const { findings, pending } = await inspectForSettling(item.exchange, ctx, recorder);
    items.push({ index: item.exchange.index, findings, pending, ...(setup.withExchanges && { exchange: compact(item.exchange) }) });
  }
  return items;
}

/**
 * Bodies copied to buffers of their own size: a small Buffer is a view of an 8 KiB pool, and
 * structured clone would copy the whole pool with it.
 */
function compact(exchange: Exchange): Exchange {
  const { request, response } = exchange;
  return {
    ...exchange,
    request: { ...request, body: request.body && new Uint8Array(request.body) },
    response: response && { ...response, body: response.body && new Uint8Array(response.body) },
  };
}
