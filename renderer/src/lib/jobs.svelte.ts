import type { JobView } from '../../../main/services/views.ts';
import { ApiError, call, noticeFailure } from './api.ts';

const POLL_MS = 250;

let working = 0;

/** Whether work the user started is under way (an upload, an import, a key being generated): idle-lock waits for it. */
export function workUnderWay(): boolean {
  return working > 0;
}

/** Runs `work` as work the user started (see workUnderWay). */
export async function whileWorking<T>(work: () => Promise<T>): Promise<T> {
  working++;
  try {
    return await work();
  } finally {
    working--;
  }
}

/**
 * One long piece of work the service runs as a job (capture import, key generation), watched from the
 * console: polled for progress, cancellable. The service stores nothing for a cancelled job, so the
 * console only has to say so.
 */
export class JobWatch {
  job = $state.raw<JobView | null>(null);
  cancelling = $state(false);
  #stopped = false;
  /** Cancel was asked for before the service had answered with the job: cancel it on arrival. */
  #cancelOnStart = false;

  get running(): boolean {
    return this.job?.state === 'running';
  }

  /** Starts watching `started` until it finishes; resolves with its last view. Failures resolve too. */
  async watch(started: JobView): Promise<JobView> {
    this.job = started;
    if (this.#cancelOnStart) await this.cancel();
    let current: JobView = this.job ?? started;
    await whileWorking(async () => {
      while (current.state === 'running' && !this.#stopped) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (this.#stopped) break;
        current = await call('jobs.get', { id: current.id });
        this.job = current;
      }
    });
    if (current.state === 'failed') noticeFailure(current.error);
    return current;
  }

  async cancel(): Promise<void> {
    const job = this.job;
    this.cancelling = true;
    if (!job) {
      this.#cancelOnStart = true;
      return;
    }
    this.#cancelOnStart = false;
    if (job.state !== 'running') return;
    try {
      this.job = await call('jobs.cancel', { id: job.id });
    } catch (error) {
      // The job finished (or was forgotten) between the last poll and the click: the poll tells the outcome.
      if (!(error instanceof ApiError)) throw error;
    }
  }

  /** The watcher's owner is going away: stop polling (the job itself keeps its own course). */
  stop(): void {
    this.#stopped = true;
  }

  reset(): void {
    this.job = null;
    this.cancelling = false;
    this.#cancelOnStart = false;
  }
}

/** A finished job's error as the service worded it. */
export function jobError(job: JobView): string {
  return job.error?.message ?? 'the job failed';
}
