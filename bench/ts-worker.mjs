// Starts a TypeScript worker for the benchmark: Node 20 does not apply `--import tsx` loader hooks to
// worker threads, so the worker registers tsx itself, then loads the module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
