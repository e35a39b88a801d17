import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchKeystore, rs256Tokens, writeRs256Har } from '../../../bench/inputs.ts';
import { run } from '../../../bench/measure.ts';
import { SIGNET_BIN } from '../../support/cli.ts';

// `capture verify` of captures of small signed exchanges, 40 000 (~70 MB) against 200 000 (~350 MB),
// each with one finding: the findings of the larger one alone come to ~150 MB more of JSON text, and
// would take more than that in memory if the CLI held them until the end (it did: ~2.7 KB each).
// Streamed, the peak hardly moves. (The smaller capture is above ~64 MB for the reason given in
// memory.test.ts: below that, V8's collection of discarded buffers makes the comparison unfair.)
let dir: string;
let storePath: string;
const captures = { small: '', large: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-findings-memory-'));
  const store = await benchKeystore(dir);
  storePath = store.storePath;
  // One token throughout: each exchange is still verified, and signing 200 000 would take minutes.
  const [token = ''] = await rs256Tokens(store.keys, 1, 1);
  for (const [size, count] of [['small', 40_000], ['large', 200_000]] as const) {
    captures[size] = join(dir, `${size}.har`);
    await writeRs256Har(captures[size], new Array<string>(count).fill(token));
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(path: string): Promise<{ peakRssBytes: number; outputBytes: number }> {
  const out = `${path}.json`;
  const result = await run(process.execPath, [SIGNET_BIN, 'capture', 'verify', path, '--json'], { env: { SIGNET_STORE: storePath }, stdoutFile: out });
  expect(result.code, result.stderr).toBe(0);
  expect(result.peakRssBytes).not.toBeNull();
  return { peakRssBytes: result.peakRssBytes ?? 0, outputBytes: statSync(out).size };
}

describe('peak memory of capture verify, 40 000 against 200 000 findings', () => {
  it('grows by less than half the extra findings take as JSON text', async () => {
    const small = await verify(captures.small);
    const large = await verify(captures.large);
    expect(large.outputBytes - small.outputBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(large.peakRssBytes - small.peakRssBytes).toBeLessThan((large.outputBytes - small.outputBytes) / 2);
  }, 180_000);
});
