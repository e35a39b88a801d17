import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * For worker threads that handle large buffers and strings: V8 counts those as external memory and
 * collects them only once 64 MiB of it has built up in a thread. On a 1 GiB capture that left up to
 * ~70 MB of garbage per worker (imports then peaked over the 300 MiB budget); collecting after every
 * 16 MiB handled keeps it near 30 MB for under 5% more CPU. A worker's execArgv refuses --expose-gc,
 * hence the flag set at run time (it exposes `gc` to new contexts; nothing else here creates one).
 * Returns a function to call with the bytes just handled.
 */
export function collectEvery(bytes: number): (handled: number) => void {
  const gc = exposedGc();
  let sinceCollection = 0;
  return (handled) => {
    sinceCollection += handled;
    if (sinceCollection < bytes) return;
    sinceCollection = 0;
    gc?.();
  };
}

function exposedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => gc() : undefined;
  } catch {
    return undefined;
  }
}
