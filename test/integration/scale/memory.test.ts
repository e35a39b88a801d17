import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchKeystore, PASSPHRASE, writeMixedSizeHar } from '../../../bench/inputs.ts';
import { run, type RunResult } from '../../../bench/measure.ts';
import { SIGNET_BIN } from '../../support/cli.ts';

// Generated captures of ~70 MB and ~210 MB (signed API calls among large and base64 bodies) are
// verified and imported by the CLI, as shipped, while its peak resident memory is measured. Three
// times the file must not mean much more memory: a reader that loads the capture, or batches that
// pile up, would make the peak follow the file size. (Below ~64 MB the comparison would be unfair:
// V8 lets up to 64 MiB of discarded buffers build up per thread before collecting them, so the peak
// rises until a capture is that large, and then stays.)
const MB = 1024 * 1024;
let dir: string;
let storePath: string;
const captures: Record<'small' | 'large', { path: string; bytes: number }> = { small: { path: '', bytes: 0 }, large: { path: '', bytes: 0 } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-memory-'));
  const store = await benchKeystore(dir);
  storePath = store.storePath;
  for (const [size, target] of [['small', 70 * MB], ['large', 210 * MB]] as const) {
    const path = join(dir, `${size}.har`);
    await writeMixedSizeHar(path, store.keys, target);
    captures[size] = { path, bytes: statSync(path).size };
  }
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** With the passphrase, as an import needs (so the verifications run unlocked too, alike for both sizes). */
async function signet(args: string[], store: string): Promise<RunResult & { peakRssBytes: number }> {
  const result = await run(process.execPath, [SIGNET_BIN, ...args], { env: { SIGNET_STORE: store, SIGNET_PASSPHRASE: PASSPHRASE } });
  expect(result.code, result.stderr).toBe(0);
  expect(result.peakRssBytes).not.toBeNull();
  return { ...result, peakRssBytes: result.peakRssBytes ?? 0 };
}

function freshStore(name: string): string {
  const path = join(dir, name);
  copyFileSync(storePath, path);
  return path;
}

describe('peak memory of the CLI, 70 MB against 210 MB captures', () => {
  it('verifies the three times larger capture in less than a third of the extra bytes in memory', async () => {
    const small = await signet(['capture', 'verify', captures.small.path, '--json'], storePath);
    const large = await signet(['capture', 'verify', captures.large.path, '--json'], storePath);
    expect(large.peakRssBytes - small.peakRssBytes).toBeLessThan((captures.large.bytes - captures.small.bytes) / 3);
  }, 300_000);

  it('imports the three times larger capture in less than a third of the extra bytes in memory', async () => {
    const small = await signet(['capture', 'import', captures.small.path, '--json'], freshStore('small.db'));
    const large = await signet(['capture', 'import', captures.large.path, '--json'], freshStore('large.db'));
    expect(large.peakRssBytes - small.peakRssBytes).toBeLessThan((captures.large.bytes - captures.small.bytes) / 3);
  }, 300_000);
});
