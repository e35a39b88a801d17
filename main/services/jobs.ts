import { randomBytes } from 'node:crypto';
import { SignetError, toErrorBody } from '../core/errors.ts';
import type { JobView } from './views.ts';

/**
 * Long work the console starts and watches: capture imports, RSA-4096 generation. A job runs in this
 * process; the renderer polls it for progress and may cancel it. Cancelling aborts the job's signal:
 * the work stops where it can, and whatever it would have stored is not stored.
 */
export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total: number | null, unit: string): void;
}

interface Job {
  view: JobView;
  controller: AbortController;
}

/** Finished jobs are kept a while so a late poll still sees the outcome. */
const KEEP_FINISHED = 50;

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();

  start(kind: string, label: string, run: (job: JobContext) => Promise<unknown>, clock: () => Date = () => new Date()): JobView {
    const id = `j_${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const view: JobView = { id, kind, label, state: 'running', progress: { done: 0, total: null, unit: '' }, startedAt: clock().toISOString(), finishedAt: null };
    this.#jobs.set(id, { view, controller });
    const context: JobContext = {
      signal: controller.signal,
      progress: (done, total, unit) => {
        view.progress = { done, total, unit };
      },
    };
    run(context).then(
      (result) => this.#finish(view, controller.signal.aborted ? { state: 'cancelled' } : { state: 'done', result }, clock),
      (error: unknown) => this.#finish(view, controller.signal.aborted ? { state: 'cancelled' } : { state: 'failed', error: toErrorBody(error) }, clock),
    );
    this.#prune();
    return { ...view };
  }

  get(id: string): JobView {
    const job = this.#jobs.get(id);
    if (!job) throw new SignetError('ERR_NOT_FOUND', `no job "${id}" (jobs are forgotten when Signet restarts)`);
    return { ...job.view };
  }

  cancel(id: string): JobView {
    const job = this.#jobs.get(id);
    if (!job) throw new SignetError('ERR_NOT_FOUND', `no job "${id}"`);
    if (job.view.state === 'running') job.controller.abort();
    return { ...job.view };
  }

  list(): JobView[] {
    return [...this.#jobs.values()].map((job) => ({ ...job.view }));
  }

  /** Cancels everything still running (the keystore is closing or locking). */
  cancelAll(): void {
    for (const job of this.#jobs.values()) if (job.view.state === 'running') job.controller.abort();
  }

  #finish(view: JobView, outcome: Pick<JobView, 'state' | 'result' | 'error'>, clock: () => Date): void {
    Object.assign(view, outcome, { finishedAt: clock().toISOString() });
  }

  #prune(): void {
    const finished = [...this.#jobs.entries()].filter(([, job]) => job.view.state !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#jobs.delete(id);
  }
}
