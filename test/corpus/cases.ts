import type { ErrorCode } from '../../main/core/errors.ts';
import type { Verdict } from '../../main/core/inspect/findings.ts';
import type { HeldKeys } from './builders.ts';
import { FILE_CASES } from './cases-files.ts';
import { JOSE_CASES } from './cases-jose.ts';

/**
 * The corpus of nasty inputs, each with the outcome Signet must give. Inputs are built in the test
 * from keys made in the test (nothing secret is committed). Every case runs through the core function
 * that parses it and through the service the CLI and the console call (test/corpus/core.test.ts), and
 * through the real CLI (test/corpus/cli.test.ts).
 *
 *   core     what the core function does: 'ok', or the SignetError code it throws
 *   service  what the use case returns: a verdict ('valid', 'invalid', 'unknown-key', …; for captures
 *            'passing' or 'failing' findings), or the SignetError code it throws. The CLI's exit code
 *            follows: 0 for valid/passing, 1 for a failing verdict, 2 for an error.
 */

export interface CorpusContext {
  keys: HeldKeys;
  /** A local server counting requests, for jku/x5u: nothing may ever be fetched from a token. */
  fetchTrap: string;
}

export type CorpusInput =
  | { target: 'jws'; token: string }
  | { target: 'jwe'; token: string; pbes2?: boolean }
  | { target: 'key-file'; bytes: Buffer }
  | { target: 'capture'; fileName: string; chunks: () => Iterable<Buffer> };

export interface CorpusCase {
  id: string;
  threat: string;
  build(ctx: CorpusContext): CorpusInput | Promise<CorpusInput>;
  core: 'ok' | ErrorCode;
  service: Verdict | 'passing' | 'failing' | 'ok' | ErrorCode;
  /** Words the core message or the reason of the first malformed entry must contain. */
  message?: RegExp;
  /** Captures: the kinds of items the reader yields, in order. */
  items?: ('exchange' | 'malformed')[];
  /** Over 100 MB: run once, not on every variant. */
  large?: boolean;
}

export const CORPUS: CorpusCase[] = [...JOSE_CASES, ...FILE_CASES];
