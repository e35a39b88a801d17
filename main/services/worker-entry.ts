import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** The worker threads of this folder, each a bundle entry of its own in the CLI build. */
export type WorkerName = 'inspection-worker';

/**
 * Starts one of this folder's worker threads. From TypeScript sources (tests, tsx) a bootstrap
 * registers tsx in the thread first; from the CLI bundle the worker is the bundle's entry of that
 * name, next to this code. Undefined when neither exists (a host that did not bundle it): callers
 * then do the work on the calling thread.
 */
export function startWorker(name: WorkerName, resourceLimits?: ResourceLimits): Worker | undefined {
  const here = import.meta.url;
  const options = resourceLimits ? { resourceLimits } : {};
  if (here.endsWith('.ts')) return new Worker(new URL('./worker.dev.mjs', here), { ...options, workerData: { entry: new URL(`./${name}.ts`, here).href } });
  const entry = [`./${name}.mjs`, `./${name}.js`].map((file) => new URL(file, here)).find((url) => existsSync(fileURLToPath(url)));
  return entry && new Worker(entry, options);
}
