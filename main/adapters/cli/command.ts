import type { ParseArgsConfig } from 'node:util';
import { SignetError } from '../../core/errors.ts';
import type { MethodName, Output, Input } from '../../api/contract.ts';
import type { CallOptions } from '../../api/handlers.ts';
import type { Session } from '../../services/session.ts';
import type { Artifact } from '../../services/views.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command gets: the contract (through the one dispatch), and ways to read and print. */
export interface CliContext {
  call<M extends MethodName>(name: M, input: Input<M>, options?: CallOptions): Promise<Output<M>>;
  /** The open keystore itself, for long-running adapters (serve). */
  openSession(): Session;
  json: boolean;
  /** Reads a file argument, or standard input for "-". */
  readInput(path: string, what: string): Promise<Buffer>;
  /** A secret from a file (first line, trailing newline removed). */
  readSecretFile(path: string, what: string): Promise<string>;
  print(text: string): void;
  printJson(value: unknown): void;
  /**
   * Writes a piece of output as it is produced, adding no newline (sanitised as print() does, except
   * with --json), and resolves once stdout takes more. A --json document begun this way is the
   * command's to end, also when it fails: main then prints no second document with the error.
   */
  write(text: string): Promise<void>;
  /** Writes an artifact to --out, or prints it (text) / refuses to dump binary on a terminal. */
  emitArtifact(artifact: Artifact, out: string | undefined): Promise<void>;
  /** The passphrase for a new keystore or a new passphrase (asked twice on a terminal). */
  newPassphrase(fileOption: string | undefined, envName: string): Promise<string>;
  currentPassphrase(): Promise<string>;
  /**
   * Unlocks, before work that would use stored secrets without failing for want of them (a capture's
   * HMAC checks and JWE decryption, an export's scrubbing of secrets), when the keystore holds any and
   * a passphrase is at hand or can be asked for. Otherwise the work runs locked and its findings say so.
   */
  unlockForSecrets(): Promise<void>;
}

export interface Command {
  /** Words as typed: "keys generate". */
  name: string;
  summary: string;
  /** The usage line after the name, e.g. "ID --reason R [--at TIME]". */
  usage: string;
  options?: OptionSpec;
  positionals?: { min: number; max: number; names: string };
  /** Creates the store file when there is none yet (init, and the console, which then offers to set it up). */
  createsStore?: boolean;
  run(ctx: CliContext, values: Values, positionals: string[]): Promise<number | void>;
}

export function str(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function list(values: Values, name: string): string[] | undefined {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : undefined;
}

export function int(values: Values, name: string): number | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new SignetError('ERR_BAD_INPUT', `--${name} takes a whole number, not "${value}"`);
  return Number(value);
}

/** Drops the options not given: `{ ...defined({ alg, typ }) }` passes only what the user typed. */
export function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
