import type { CaptureView, JobView } from '../../../../main/services/views.ts';
import { ApiError, bridge, call, messageOf, upload } from '../../lib/api.ts';
import { baseName } from '../../lib/host-menu.svelte.ts';
import { jobError, JobWatch, whileWorking } from '../../lib/jobs.svelte.ts';
import { keystore } from '../../lib/keystore.svelte.ts';
import { captureList } from './capture-list.svelte.ts';

export type ImportPhase = 'idle' | 'uploading' | 'inspecting' | 'done' | 'failed' | 'cancelled';

/**
 * Bringing a capture in: in browser mode the file is uploaded first (with progress), then imported as
 * a job by its upload id; in the desktop app it is imported by path, never crossing IPC. Either way
 * the job is polled for bytes read and may be cancelled, and the service then stores nothing.
 */
export class CaptureImport {
  phase = $state<ImportPhase>('idle');
  fileName = $state('');
  /** Upload progress (browser mode). */
  sent = $state(0);
  size = $state(0);
  error = $state('');
  readonly watch = new JobWatch();
  #upload: AbortController | null = null;
  /** The keystore locked while this import ran: the service cancelled it, the user did not. */
  #stoppedByLock = false;

  get busy(): boolean {
    return this.phase === 'uploading' || this.phase === 'inspecting';
  }

  /** Bytes done and total of the current phase, for one progress bar across both. */
  get progress(): { done: number; total: number | null } {
    if (this.phase === 'uploading') return { done: this.sent, total: this.size };
    // Until the job reports its own total, the size of the file sent is the best guess.
    const job = this.watch.job;
    return { done: job?.progress.done ?? 0, total: job?.progress.total ?? (this.size || null) };
  }

  async fromFile(file: File): Promise<CaptureView | null> {
    if (this.busy) return null;
    if (bridge) {
      const path = bridge.pathForFile(file);
      if (!path) return this.#fail(file.name, 'this item is not a file on this computer: drop or choose a capture file');
      return this.fromPath(path, file.name);
    }
    this.#begin(file.name, 'uploading');
    this.size = file.size;
    const controller = new AbortController();
    this.#upload = controller;
    // Upload and import are one piece of work: the idle lock waits for both (a gigabyte takes minutes).
    return whileWorking(async () => {
      try {
        const { uploadId } = await upload(file, ({ sent, total }) => {
          this.sent = sent;
          this.size = total;
        }, controller.signal);
        return await this.#run({ uploadId, name: file.name });
      } catch (error) {
        return this.#settle(error);
      } finally {
        this.#upload = null;
      }
    });
  }

  async fromPath(path: string, name = baseName(path)): Promise<CaptureView | null> {
    if (this.busy) return null;
    this.#begin(name, 'inspecting');
    return whileWorking(async () => {
      try {
        return await this.#run({ path, name });
      } catch (error) {
        return this.#settle(error);
      }
    });
  }

  async cancel(): Promise<void> {
    if (this.phase === 'uploading') this.#upload?.abort();
    else if (this.phase === 'inspecting') await this.watch.cancel();
  }

  /** Locking cancels every job in the service: an import under way then stops, and must say why. */
  locked(): void {
    if (this.busy) this.#stoppedByLock = true;
    else this.dismiss();
  }

  dismiss(): void {
    if (!this.busy) this.phase = 'idle';
  }

  async #run(input: { uploadId: string; name: string } | { path: string; name: string }): Promise<CaptureView | null> {
    this.phase = 'inspecting';
    const started = await call('captures.importJob', input);
    return await this.#finish(await this.watch.watch(started));
  }

  async #finish(job: JobView): Promise<CaptureView | null> {
    if (job.state === 'done') {
      const capture = job.result as CaptureView;
      this.phase = 'done';
      await captureList.refresh();
      captureList.openId = capture.id;
      return capture;
    }
    if (job.state === 'cancelled' && this.#stoppedByLock) this.#fail(this.fileName, 'the keystore was locked while this capture was being imported: nothing was stored; import it again');
    else if (job.state === 'cancelled') this.phase = 'cancelled';
    else this.#fail(this.fileName, jobError(job));
    return null;
  }

  #settle(error: unknown): null {
    if (error instanceof ApiError && error.code === 'ERR_CANCELLED') this.phase = 'cancelled';
    else this.#fail(this.fileName, messageOf(error));
    return null;
  }

  #begin(name: string, phase: ImportPhase): void {
    this.#stoppedByLock = false;
    this.fileName = name;
    this.phase = phase;
    this.error = '';
    this.sent = 0;
    this.size = 0;
    this.watch.reset();
  }

  #fail(name: string, message: string): null {
    this.fileName = name;
    this.phase = 'failed';
    this.error = message;
    return null;
  }
}

/** One import at a time, kept across views: leaving the captures view does not lose it. */
export const captureImport = new CaptureImport();
keystore.onLock(() => captureImport.locked());
