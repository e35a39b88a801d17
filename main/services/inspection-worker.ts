import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../core/errors.ts';
import { inspectForSettling, NonceRecorder } from '../core/inspect/deferred.ts';
import { malformedFinding } from '../core/inspect/inspector.ts';
import { snapshotResolver } from '../core/inspect/snapshot.ts';
import type { InspectionContext } from '../core/inspect/context.ts';
import { itemFromSlice } from '../core/traffic/har.ts';
import type { CaptureItem, Exchange } from '../core/traffic/exchange.ts';
import type { Batch, WorkerItem, WorkerReply, WorkerRequest, WorkerSetup } from './inspection-pool.ts';
import { collectEvery } from './thread-memory.ts';

/**
 * An inspection worker thread (started by inspection-pool.ts): parses HAR entries, runs every check
 * that needs no capture-wide state and no private key, and sends back findings with what is left
 * pending, batch by batch. It holds public keys and, while the keystore is unlocked, HMAC secrets.
 */

const port = parentPort;
let setup: WorkerSetup | undefined;
/** The context every batch shares, all but its nonce recorder (see inspectBatch). */
let shared: Omit<InspectionContext, 'nonces'> | undefined;

/**
 * Large entries leave large strings behind, which only a full collection frees: collected every 16 MiB
 * of them (see thread-memory.ts). Only entries from 128 KiB count: V8 keeps smaller strings in the young
 * generation, which scavenges free anyway; counting every entry forced a full collection every 16 MiB
 * of small ones as well, ~10% of the CPU of verifying 100 000 small RS256 entries.
 */
const collectAfter = collectEvery(16 * 1024 * 1024);
const LARGE_ENTRY_BYTES = 128 * 1024;

port?.on('message', (request: WorkerRequest) => {
  if (request.type === 'setup') {
    setup = request.setup;
    shared = {
      settings: setup.settings,
      resolver: snapshotResolver(setup.resolver),
      now: new Date(setup.nowMs),
      ...(setup.atMs !== undefined && { at: new Date(setup.atMs) }),
    };
    return;
  }
  inspectBatch(request.batch).then(
    ({ items, transfer }) => port?.postMessage({ type: 'result', id: request.batch.id, items } satisfies WorkerReply, transfer),
    (error: unknown) => port?.postMessage({ type: 'error', id: request.batch.id, error: toErrorBody(error) } satisfies WorkerReply),
  );
});

async function inspectBatch(batch: Batch): Promise<{ items: WorkerItem[]; transfer: ArrayBuffer[] }> {
  if (!setup || !shared) throw new Error('inspection worker used before setup');
  // Two batches can be in this worker at once, interleaving at every await (HMAC and signature checks
  // are asynchronous): each has its own recorder, or one batch's nonces land in the other's exchanges.
  const recorder = new NonceRecorder();
  const ctx: InspectionContext = { ...shared, nonces: recorder };
  collectAfter(batch.units.reduce((bytes, unit) => bytes + (unit.kind === 'entry' && unit.length >= LARGE_ENTRY_BYTES && unit.start >= 0 ? unit.length : 0), 0));
  const items: WorkerItem[] = [];
  const transfer: ArrayBuffer[] = [];
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
    items.push({ index: item.exchange.index, findings, pending, ...(setup.withExchanges && { exchange: movable(item.exchange, transfer) }) });
  }
  return { items, transfer };
}

/**
 * The exchange with each body in an ArrayBuffer of its own, listed in `transfer`: the bodies then move
 * to the importing thread instead of being copied twice (into the message, out of it), which on a
 * 1 GiB import was most of the allocator churn. A small Buffer is a view of an 8 KiB pool, and is
 * copied out of it first.
 */
function movable(exchange: Exchange, transfer: ArrayBuffer[]): Exchange {
  const own = (body: Uint8Array | null): Uint8Array | null => {
    if (body === null) return null;
    const alone = body.byteOffset === 0 && body.buffer.byteLength === body.byteLength && body.buffer instanceof ArrayBuffer && !transfer.includes(body.buffer);
    const moved = alone ? body : new Uint8Array(body);
    if (moved.buffer instanceof ArrayBuffer) transfer.push(moved.buffer);
    return moved;
  };
  const { request, response } = exchange;
  return { ...exchange, request: { ...request, body: own(request.body) }, response: response && { ...response, body: own(response.body) } };
}
