import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchKeystore, PASSPHRASE, writeMixedSizeHar } from '../../../bench/inputs.ts';
import { importCapture, verifyCapture } from '../../../main/services/captures.ts';
import { unlockKeystore } from '../../../main/services/keystore.ts';
import { Session } from '../../../main/services/session.ts';

// A generated capture of about 200 MB (signed API calls among large and base64 bodies) is verified and
// imported while the process's resident memory is watched: it must grow by a fraction of the file,
// never by the file (a reader that loads the capture, or a batch that holds it, would show here).
const TARGET_BYTES = 200 * 1024 * 1024;
let dir: string;
let harPath: string;
let fileBytes: number;
let session: Session;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-memory-'));
  const { storePath, keys } = await benchKeystore(dir);
  harPath = join(dir, 'big.har');
  await writeMixedSizeHar(harPath, keys, TARGET_BYTES);
  fileBytes = statSync(harPath).size;
  session = Session.open(storePath);
  await unlockKeystore(session, PASSPHRASE);
}, 180_000);
afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work`, sampling RSS at every progress report; returns the largest growth over the starting RSS. */
async function rssGrowth(work: (onProgress: () => void) => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  await work(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  });
  return peak - before;
}

describe('memory on a ~200 MB capture', () => {
  it('verifies on workers with resident memory growing by less than a third of the file', async () => {
    let exchanges = 0;
    const growth = await rssGrowth(async (onProgress) => {
      exchanges = (await verifyCapture(session, { path: harPath, onProgress })).exchanges;
    });
    expect(fileBytes).toBeGreaterThan(TARGET_BYTES);
    expect(exchanges).toBeGreaterThan(1000);
    expect(growth).toBeLessThan(fileBytes / 3);
  }, 300_000);

  it('imports with resident memory growing by less than a third of the file', async () => {
    let stored = 0;
    const growth = await rssGrowth(async (onProgress) => {
      stored = (await importCapture(session, { path: harPath, onProgress })).exchangeCount;
    });
    expect(stored).toBeGreaterThan(1000);
    expect(growth).toBeLessThan(fileBytes / 3);
  }, 300_000);
});
