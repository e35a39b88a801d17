import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { compactJws, rs256Payload } from './tokens.ts';

// Signs a range of the bulk file's RS256 tokens (started by inputs.ts, one per core).
const { kid, privateKey, from, to } = workerData as { kid: string; privateKey: KeyObject; from: number; to: number };
const tokens: string[] = [];
for (let index = from; index < to; index++) tokens.push(compactJws('RS256', kid, rs256Payload(index), privateKey));
parentPort?.postMessage(tokens);
