import type { z } from 'zod';
import { SignetError, toErrorBody, type ErrorBody } from '../core/errors.ts';
import type { Session } from '../services/session.ts';
import { contract, type MethodName, type Output } from './contract.ts';
import { handlers, type CallOptions } from './handlers.ts';
import { METHOD_NAMES } from './names.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const KNOWN: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(name: string): name is MethodName {
  return KNOWN.has(name);
}

/**
 * The one entry point of every transport: look the method up, validate the input against its schema,
 * run it. Throws SignetError only; `dispatchResult` wraps that for IPC and HTTP.
 */
export async function dispatch<M extends MethodName>(session: Session, name: M, rawInput: unknown, options: CallOptions = {}): Promise<Output<M>> {
  if (!isMethodName(name)) throw new SignetError('ERR_UNKNOWN_METHOD', `no method "${String(name)}"`);
  const parsed = contract[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) throw new SignetError('ERR_BAD_INPUT', parsed.error.issues.map(describeIssue).join('; '));
  const handler = handlers[name] as (session: Session, input: unknown, options: CallOptions) => Output<M> | Promise<Output<M>>;
  return handler(session, parsed.data, options);
}

/**
 * A schema's refusal as a user reads it ("policy.expiringSoonDays must be at least 1"), not in the
 * validator's words ("Too small: expected number to be >=1"); the schemas' own messages are kept.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.') || 'the input';
  const unit = (origin: unknown, count: number | bigint) => (origin === 'string' ? ` character${count === 1 ? '' : 's'}` : origin === 'array' || origin === 'set' ? ` item${count === 1 ? '' : 's'}` : '');
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${field} must not be empty`;
      return `${field} must be at least ${issue.minimum}${unit(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `${field} must be at most ${issue.maximum}${unit(issue.origin, issue.maximum)}`;
    case 'invalid_format':
      return `${field} is not a valid ${issue.format === 'email' ? 'e-mail address' : issue.format === 'url' ? 'URL' : issue.format}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_type':
      // Issues carry no input unless asked to: zod's own text says what it received.
      return issue.message.endsWith('received undefined') ? `${field} is required` : `${field} must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

export async function dispatchResult(session: Session, name: string, rawInput: unknown): Promise<Result<unknown>> {
  try {
    if (!isMethodName(name)) throw new SignetError('ERR_UNKNOWN_METHOD', `no method "${name}"`);
    return { ok: true, value: await dispatch(session, name, rawInput) };
  } catch (error) {
    return { ok: false, error: toErrorBody(error) };
  }
}
