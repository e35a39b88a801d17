import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyJob, importCaptureJob } from '../../main/services/background.ts';
import { listCaptures } from '../../main/services/captures.ts';
import { listKeys } from '../../main/services/key-views.ts';
import { checkUploadId, saveUpload, uploadPath } from '../../main/services/uploads.ts';
import { existsSync } from 'node:fs';
import type { JobView } from '../../main/services/views.ts';
import { harText, writeCapture } from '../support/capture.ts';
import { tempStore, type TempStore } from '../support/store.ts';

let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

async function settled(id: string): Promise<JobView> {
  for (;;) {
    const job = store.session.jobs.get(id);
    if (job.state !== 'running') return job;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('jobs', () => {
  it('imports a capture as a job, reporting progress in bytes and the capture as its result', async () => {
    const path = writeCapture(store.dir, 'a.har', harText(Array.from({ length: 50 }, (_, index) => ({ url: `https://a.test/${index}` }))));
    const started = importCaptureJob(store.session, { path, name: 'job import' });
    expect(started).toMatchObject({ kind: 'capture.import', state: 'running' });
    const done = await settled(started.id);
    expect(done).toMatchObject({ state: 'done', result: { name: 'job import', exchangeCount: 50 }, progress: { unit: 'bytes' } });
    expect(done.progress.done).toBe(done.progress.total);
  });

  it('cancels an import: the job says cancelled and nothing is stored', async () => {
    const path = writeCapture(store.dir, 'b.har', harText(Array.from({ length: 4000 }, (_, index) => ({ url: `https://a.test/${index}` }))));
    const started = importCaptureJob(store.session, { path });
    store.session.jobs.cancel(started.id);
    expect((await settled(started.id)).state).toBe('cancelled');
    expect(listCaptures(store.session)).toEqual([]);
    expect(store.session.db.prepare('SELECT count(*) AS n FROM exchanges').get()).toEqual({ n: 0 });
  });

  it('drops a generated key whose job was cancelled', async () => {
    const started = generateKeyJob(store.session, { type: 'rsa', bits: 4096 });
    store.session.jobs.cancel(started.id);
    expect((await settled(started.id)).state).toBe('cancelled');
    expect(await listKeys(store.session)).toEqual([]);
  }, 120_000);

  it('reports a failed job with the service error, not a stack', async () => {
    const done = await settled(importCaptureJob(store.session, { path: `${store.dir}/missing.har` }).id);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'ERR_UNREADABLE', message: expect.stringContaining('no such file') } });
  });
});

describe('uploads', () => {
  it('streams an upload to a private file named by id, imports it, and removes it', async () => {
    const { uploadId, bytes } = await saveUpload(Readable.from([Buffer.from(harText([{ url: 'https://a.test/x' }]))]));
    expect(bytes).toBeGreaterThan(0);
    const done = await settled(importCaptureJob(store.session, { uploadId, name: 'dropped.har' }).id);
    expect(done).toMatchObject({ state: 'done', result: { exchangeCount: 1 } });
    expect(existsSync(await uploadPath(uploadId))).toBe(false);
  });

  it('refuses an upload id that is a path', () => {
    expect(() => checkUploadId('../../etc/passwd')).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
  });

  it('stops an upload over the limit and keeps nothing', async () => {
    await expect(saveUpload(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });
});
