import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopDelay {
  /** Delay percentiles and maximum, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/**
 * Samples how late the event loop runs its timers while some work goes on (issue 7, target 3: the
 * thread serving the UI must never stall for more than 50 ms at p99). Call `stop()` for the figures.
 */
export function sampleEventLoop(resolutionMs = 10): { stop(): EventLoopDelay; readonly samples: number } {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const toMs = (nanoseconds: number) => Math.round(nanoseconds / 1e4) / 100;
  return {
    get samples() {
      return histogram.count;
    },
    stop() {
      histogram.disable();
      const figures = { p50Ms: toMs(histogram.percentile(50)), p99Ms: toMs(histogram.percentile(99)), maxMs: toMs(histogram.max), samples: histogram.count };
      histogram.reset();
      return figures;
    },
  };
}
