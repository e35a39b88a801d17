import fc from 'fast-check';
import { expect } from 'vitest';
import { SignetError } from '../../main/core/errors.ts';

/**
 * Shared pieces of the fuzz suite: mutation of valid seeds (flip, set, insert, delete, duplicate,
 * truncate bytes), the property every parser must keep on hostile input, and the run budget.
 *
 * Runs are deterministic by default (a fixed seed, so CI never flakes on a fresh random case) and
 * bounded twice: by a number of runs and by a time budget per property. To explore further:
 *   SIGNET_FUZZ_SEED=random SIGNET_FUZZ_RUNS=20000 SIGNET_FUZZ_BUDGET_MS=120000 npx vitest run test/fuzz
 * A failure prints its seed and path; `SIGNET_FUZZ_SEED=<seed>` replays it.
 */

/**
 * Placed wherever secrets live in the seeds (key material, bearer tokens, signatures, passwords).
 * Base64 alphabet only, a multiple of 4 long, so it fits in every encoded field. Messages may quote
 * an identifier (a header name, a kid, an alg) cut to at most 40 characters; values never. A mutation
 * can move secret bytes into an identifier's place, so the fuzzers check that the marker never
 * appears whole (48 characters); the corpus checks exact secret fields far more strictly.
 */
export const MARKER = 'MkRzZWNyZXQtbWFya2VyLW5ldmVyLWluLWEtbWVzc2FnZQAA';

const seedSetting = process.env.SIGNET_FUZZ_SEED;
const runScale = Number(process.env.SIGNET_FUZZ_RUNS ?? '') || 0;
const budgetSetting = Number(process.env.SIGNET_FUZZ_BUDGET_MS ?? '') || 0;

/** fast-check parameters: `runs` cases unless the time budget runs out first, each case within `perRunMs`. */
export function budget(runs: number, options: { budgetMs?: number; perRunMs?: number } = {}): fc.Parameters<unknown> {
  return {
    numRuns: runScale || runs,
    ...(seedSetting !== 'random' && { seed: seedSetting ? Number(seedSetting) : 20260601 }),
    interruptAfterTimeLimit: budgetSetting || (options.budgetMs ?? 4000),
    markInterruptAsFailure: false,
    // A hang (an input that makes a parser loop) fails the property instead of stalling the suite.
    timeout: options.perRunMs ?? 3000,
  };
}

type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; from: number; length: number; to: number }
  | { kind: 'truncate'; at: number };

/** Bytes that matter to the grammars under test: JSON and HTTP structure, base64 padding, UTF-8 edges. */
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x2e, 0x2f, 0x2b, 0x2d, 0x3a, 0x3d, 0x5b, 0x5c, 0x5d, 0x5f, 0x7b, 0x7d, 0x7f, 0x80, 0xc0, 0xed, 0xef, 0xff];

const position = fc.nat({ max: 1 << 20 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, byte: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 255 })) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), from: position, length: fc.integer({ min: 1, max: 256 }), to: position }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function apply(bytes: Buffer, change: Edit): Buffer {
  const size = bytes.length;
  switch (change.kind) {
    case 'flip': {
      if (size === 0) return bytes;
      const copy = Buffer.from(bytes);
      const at = change.at % size;
      copy[at] = (copy[at] ?? 0) ^ (1 << change.bit);
      return copy;
    }
    case 'set': {
      if (size === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[change.at % size] = change.byte;
      return copy;
    }
    case 'insert': {
      const at = change.at % (size + 1);
      return Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    }
    case 'delete': {
      const at = change.at % (size + 1);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
    }
    case 'duplicate': {
      const from = change.from % (size + 1);
      const to = change.to % (size + 1);
      const slice = bytes.subarray(from, from + change.length);
      return Buffer.concat([bytes.subarray(0, to), slice, bytes.subarray(to)]);
    }
    case 'truncate':
      return bytes.subarray(0, change.at % (size + 1));
  }
}

/** A seed after 1 to `maxEdits` random edits (the seed itself is never produced). */
export function mutated(seeds: readonly Buffer[], maxEdits = 6): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: maxEdits })).map(([seed, edits]) => edits.reduce(apply, seed));
}

/** As `mutated`, for text seeds (mutations may break UTF-8; decoding replaces what they break). */
export function mutatedText(seeds: readonly string[], maxEdits = 6): fc.Arbitrary<string> {
  return mutated(
    seeds.map((seed) => Buffer.from(seed, 'utf8')),
    maxEdits,
  ).map((bytes) => bytes.toString('utf8'));
}

/** Chunk sizes for streaming readers: chunk boundaries may fall anywhere, including one byte at a time. */
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 8 });

/** What a parser may do with hostile input: return, or throw a SignetError that is safe to show. */
export function checkFailure(error: unknown, secrets: readonly string[] = [MARKER]): SignetError {
  if (!(error instanceof SignetError)) {
    const description = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    throw new Error(`a parser threw something other than a SignetError: ${description}`);
  }
  checkMessage(error.message, secrets);
  return error;
}

/** A message a user can read: bounded text, with none of the input's secrets in it. */
export function checkMessage(message: string, secrets: readonly string[] = [MARKER]): void {
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThan(600);
  for (const secret of secrets) expect(message).not.toContain(secret);
}

/** Runs `work`; a SignetError is checked and returned, any other throw fails the property. */
export async function outcome<T>(work: () => T | Promise<T>, secrets?: readonly string[]): Promise<{ ok: true; value: T } | { ok: false; error: SignetError }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: checkFailure(error, secrets) };
  }
}

/** Bytes as a base64url segment, for building JOSE objects from mutated JSON. */
export const b64u = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');
