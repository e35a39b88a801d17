import { DEFAULT_WINDOW_SEC } from './hmac.ts';

export interface NonceObservation {
  replay: boolean;
  /** When the same AppId + nonce was seen before (inside the window), for a replay. */
  previousAt?: Date;
  /** True for callbacks, which the partner exempts from replay checks: nothing was recorded. */
  skipped: boolean;
}

export interface NonceTrackerOptions {
  windowSec?: number;
  /** Used when an observation has no time of its own. */
  clock?: () => Date;
}

/**
 * Remembers AppId + nonce pairs and reports a replay when a pair comes back within the window
 * (partner spec 004: "the same nonce within 5 minutes"). Pure and in memory: the caller feeds it
 * exchange times from a capture, or the clock when signing live.
 */
export class NonceTracker {
  readonly #windowMs: number;
  readonly #clock: () => Date;
  readonly #lastSeenMs = new Map<string, number>();
  #latestMs = Number.NEGATIVE_INFINITY;
  #sincePrune = 0;

  constructor(options: NonceTrackerOptions = {}) {
    this.#windowMs = (options.windowSec ?? DEFAULT_WINDOW_SEC) * 1000;
    this.#clock = options.clock ?? (() => new Date());
  }

  observe(appId: string, nonce: string, options: { at?: Date; isCallback?: boolean } = {}): NonceObservation {
    if (options.isCallback) return { replay: false, skipped: true };
    const atMs = (options.at ?? this.#clock()).getTime();
    // JSON keeps the pair unambiguous: "a:b" + "c" and "a" + "b:c" must not collide.
    const key = JSON.stringify([appId, nonce]);
    const previousMs = this.#lastSeenMs.get(key);
    this.#lastSeenMs.set(key, atMs);
    this.#latestMs = Math.max(this.#latestMs, atMs);
    this.#pruneNow();
    if (previousMs !== undefined && Math.abs(atMs - previousMs) <= this.#windowMs) {
      return { replay: true, previousAt: new Date(previousMs), skipped: false };
    }
    return { replay: false, skipped: false };
  }

  get size(): number {
    return this.#lastSeenMs.size;
  }

  /** Forgets pairs older than the window behind the latest time seen, every 1024 observations. */
  #pruneNow(): void {
    this.#sincePrune += 1;
    if (this.#sincePrune < 1024) return;
    this.#sincePrune = 0;
    const horizon = this.#latestMs - this.#windowMs;
    for (const [key, seenMs] of this.#lastSeenMs) if (seenMs < horizon) this.#lastSeenMs.delete(key);
  }
}
