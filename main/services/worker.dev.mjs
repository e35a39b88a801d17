// Starts a worker thread from TypeScript sources (tests, tsx): Node 20 applies no `--import` loader
// hooks to worker threads, so the thread registers tsx itself, then loads the module named in
// workerData.entry. The CLI bundle does not use this file: there each worker is a bundled entry
// (scripts/build-cli.mjs).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
