import { SignetError } from '../errors.ts';
import type { NonceObservation } from '../opg/nonce-tracker.ts';
import { replayResult } from '../schemes/hmac-opg.ts';
import { openJwe } from '../schemes/jwe.ts';
import { joseText } from '../schemes/scheme.ts';
import type { Exchange } from '../traffic/exchange.ts';
import type { InspectionContext, NonceObserver } from './context.ts';
import type { Finding } from './findings.ts';
import { detect, runCheck } from './inspector.ts';

/**
 * Inspection split in two for bulk work. Worker threads run every check that depends only on the
 * exchange and the public keystore (`inspectForSettling`); what needs the whole capture in file
 * order (HMAC nonce replays) or private keys (opening JWEs) is left as `Pending` work that the one
 * thread holding the session applies afterwards, in order (`settle`). Together they give the same
 * findings as `inspectExchange` on one thread.
 */

export type Pending =
  /** An HMAC that verified, whose nonce is still to be checked against the capture so far. */
  | { kind: 'nonce'; position: number; appId: string; nonce: string; atMs?: number }
  /** A JWE body, to be opened where the private keys are (they never go to workers). */
  | { kind: 'jwe'; position: number; token: string };

/** Stands in for the capture-wide NonceTracker in a worker: says "not a replay" and notes the question. */
export class NonceRecorder implements NonceObserver {
  /** Index of the finding being checked; set before each check. */
  position = 0;
  pending: Pending[] = [];

  observe(appId: string, nonce: string, options: { at?: Date; isCallback?: boolean } = {}): NonceObservation {
    // Callbacks skip replay checks (partner 004): the real tracker records nothing for them either.
    if (options.isCallback) return { replay: false, skipped: true };
    this.pending.push({ kind: 'nonce', position: this.position, appId, nonce, ...(options.at && { atMs: options.at.getTime() }) });
    return { replay: false, skipped: false };
  }
}

/** The worker's half: every check of one exchange, with the order-dependent and private-key parts left pending. */
export async function inspectForSettling(exchange: Exchange, ctx: InspectionContext, recorder: NonceRecorder): Promise<{ findings: Finding[]; pending: Pending[] }> {
  recorder.pending = [];
  const findings: Finding[] = [];
  for (const detected of detect(exchange, ctx.settings)) {
    const message = detected.direction === 'request' ? exchange.request : exchange.response;
    const token = detected.scheme === 'jwe' && message ? joseText(message) : undefined;
    if (token !== undefined) {
      recorder.pending.push({ kind: 'jwe', position: findings.length, token });
      findings.push({ exchange: exchange.index, direction: detected.direction, scheme: detected.scheme, location: detected.location, verdict: 'undecryptable', detail: 'not opened yet' });
      continue;
    }
    recorder.position = findings.length;
    findings.push(await runCheck(exchange.index, detected, ctx));
  }
  return { findings, pending: recorder.pending };
}

/**
 * The main thread's half, called for each exchange in file order with the capture-wide context: nonces
 * go through the real tracker (a reused one turns the finding into a replay), JWEs are opened.
 */
export async function settle(findings: Finding[], pending: readonly Pending[], ctx: InspectionContext): Promise<Finding[]> {
  for (const item of pending) {
    const finding = findings[item.position];
    if (finding === undefined) throw new SignetError('ERR_INTERNAL', 'inspection results arrived out of shape');
    if (item.kind === 'nonce') {
      const observation = ctx.nonces.observe(item.appId, item.nonce, item.atMs === undefined ? {} : { at: new Date(item.atMs) });
      if (!observation.replay) continue;
      const { exchange, direction, scheme, location, ...result } = finding;
      findings[item.position] = { exchange, direction, scheme, location, ...replayResult(result, item.nonce, observation.previousAt, ctx.settings.hmacWindowSec, new Date(item.atMs ?? ctx.now.getTime())) };
    } else {
      findings[item.position] = await runCheck(finding.exchange, { ...finding, verify: async () => (await openJwe(item.token, ctx)).result }, ctx);
    }
  }
  return findings;
}
