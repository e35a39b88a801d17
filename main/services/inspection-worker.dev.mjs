// Starts the inspection worker from TypeScript sources (tests, tsx). Node 20 applies no `--import`
// loader hooks to worker threads, so the thread registers tsx itself before loading the worker. The
// CLI bundle does not use this file: there the worker is a bundled entry (scripts/build-cli.mjs).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./inspection-worker.ts', import.meta.url).href);
