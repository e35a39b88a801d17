import { SignetError, toErrorBody, type ErrorBody } from '../core/errors.ts';
import { describeIssue } from '../services/input-issues.ts';
import type { Session } from '../services/session.ts';
import { contract, type MethodName, type Output } from './contract.ts';
import { handlers, type CallOptions } from './handlers.ts';
import { METHOD_NAMES, WORKS_LOCKED } from './names.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const KNOWN: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(name: string): name is MethodName {
  return KNOWN.has(name);
}

/**
 * The one entry point of every transport: look the method up, validate the input against its schema,
 * refuse a change while the keystore is locked (see WORKS_LOCKED), run it. Throws SignetError only;
 * `dispatchResult` wraps that for IPC and HTTP.
 */
export async function dispatch<M extends MethodName>(session: Session, name: M, rawInput: unknown, options: CallOptions = {}): Promise<Output<M>> {
  if (!isMethodName(name)) throw new SignetError('ERR_UNKNOWN_METHOD', `no method "${String(name)}"`);
  const parsed = contract[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) throw new SignetError('ERR_BAD_INPUT', parsed.error.issues.map(describeIssue).join('; '));
  if (!WORKS_LOCKED.has(name)) session.requireUnlocked();
  const handler = handlers[name] as (session: Session, input: unknown, options: CallOptions) => Output<M> | Promise<Output<M>>;
  return handler(session, parsed.data, options);
}

export async function dispatchResult(session: Session, name: string, rawInput: unknown): Promise<Result<unknown>> {
  try {
    if (!isMethodName(name)) throw new SignetError('ERR_UNKNOWN_METHOD', `no method "${name}"`);
    return { ok: true, value: await dispatch(session, name, rawInput) };
  } catch (error) {
    return { ok: false, error: toErrorBody(error) };
  }
}
