import { SignetError } from '../errors.ts';
import type { TraceStep } from '../inspect/findings.ts';
import { keyStatusAt, type EffectiveStatus, type LifecycleDates } from '../keys/lifecycle.ts';
import { hmacMismatchDetail, isCallbackUri, parseOpgHeader, requestUriOf, verifyOpg } from '../opg/hmac.ts';
import { exchangeTime, headerValues, REBUILT, type Result, type Scheme } from './scheme.ts';

/**
 * `Authorization: X-OPG-Signature AppId:Signature:Nonce:Timestamp` (OnePoint, partner 004): the HMAC over
 * the canonical string of the configured profile, then the secret's status, then replay (same nonce
 * within the window, in capture order) and clock skew. Callbacks skip replay and skew, as the partner says.
 */
export const hmacOpgScheme: Scheme = {
  name: 'hmac-opg',
  detect(exchange, settings) {
    return headerValues(exchange.request.headers, 'authorization')
      .filter((value) => /^\s*x-opg-signature\s/i.test(value))
      .map((value) => ({
        scheme: 'hmac-opg' as const,
        direction: 'request' as const,
        location: 'header:authorization',
        verify(ctx) {
          let parsed;
          let uri;
          try {
            parsed = parseOpgHeader(value);
            uri = requestUriOf(exchange.request.url);
          } catch (error) {
            return { verdict: 'malformed' as const, detail: error instanceof SignetError ? error.message : 'unreadable X-OPG-Signature header' };
          }
          const trace: TraceStep[] = [{ step: 'kid', label: 'AppId', value: parsed.appId }];
          const key = ctx.resolver.byAppId(parsed.appId);
          const base = { kid: parsed.appId, alg: settings.hmacProfile };
          if (!key) {
            trace.push({ step: 'result', label: 'result', value: 'no secret for this AppId', ok: false });
            return { ...base, verdict: 'unknown-key' as const, detail: `no HMAC secret for AppId "${parsed.appId}" in the keystore`, trace };
          }
          const secret = key.secret();
          if (!secret) return { ...base, keyId: key.keyId, verdict: 'unknown-key' as const, detail: 'the keystore is locked: unlock it to check HMAC signatures', trace };
          const { bodyCapture } = exchange.request;
          if (bodyCapture === 'missing') {
            return { ...base, keyId: key.keyId, verdict: 'unknown' as const, detail: 'the capture did not record the request body, which the HMAC covers: it cannot be checked', trace };
          }
          // The key's status is judged as of --at when given; the timestamp and the nonce belong to when
          // the request was sent, which --at does not change (it would turn every timed request into skew).
          // Only an exchange the capture gives no time for is taken as sent at --at (else now).
          const at = exchangeTime(exchange, ctx);
          const sentAt = exchange.startedAt ?? at;
          const isCallback = isCallbackUri(uri, settings.hmacCallbackPaths);
          const check = verifyOpg({
            profile: settings.hmacProfile,
            parsed,
            secret,
            method: exchange.request.method,
            uri,
            ...(exchange.request.body && { body: exchange.request.body }),
            now: sentAt,
            windowSec: settings.hmacWindowSec,
            isCallback,
          });
          trace.push({ step: 'key', label: 'key', value: `${key.name} (${key.keyId})` });
          trace.push({ step: 'check', label: 'canonical string', value: check.canonical });
          const withKey = { ...base, keyId: key.keyId };
          if (!check.signatureValid) {
            trace.push({ step: 'result', label: 'result', value: 'HMAC does not match', ok: false });
            if (bodyCapture === 'rebuilt') return { ...withKey, verdict: 'unknown' as const, detail: `the HMAC does not match the body as rebuilt from the capture's form params: ${REBUILT}`, trace };
            return { ...withKey, verdict: 'invalid' as const, detail: hmacMismatchDetail(settings.hmacProfile, parsed.signature), trace };
          }
          const status = keyStatusAt(key, at);
          trace.push({ step: 'status', label: `status at ${at.toISOString()}`, value: status, ok: status === 'active' });
          const unusable = secretStatusVerdict(key, status, at);
          if (unusable) return { ...withKey, ...unusable, trace };
          // A server remembers nonces for a span of its own time: the exchange's, not the time the client wrote.
          const nonce = ctx.nonces.observe(parsed.appId, parsed.nonce, { at: sentAt, isCallback });
          let outcome: Result;
          if (check.problems.includes('clock-skew')) {
            trace.push({ step: 'result', label: 'result', value: `timestamp off by ${check.skewSec ?? '?'} s`, ok: false });
            outcome = { ...withKey, verdict: 'clock-skew' as const, detail: `timestamp is ${Math.abs(check.skewSec ?? 0)} s ${(check.skewSec ?? 0) > 0 ? 'behind' : 'ahead of'} the time the request was sent (window ${settings.hmacWindowSec} s)`, trace };
          } else {
            trace.push({ step: 'result', label: 'result', value: isCallback ? 'HMAC valid (callback: replay and skew not checked)' : 'HMAC valid', ok: true });
            outcome = { ...withKey, verdict: 'valid' as const, detail: `HMAC valid (${settings.hmacProfile}${isCallback ? ', callback' : ''})`, trace };
          }
          return nonce.replay ? replayResult(outcome, parsed.nonce, nonce.previousAt, settings.hmacWindowSec, sentAt) : outcome;
        },
      }));
  },
};

/**
 * The verdict of a matching HMAC whose secret was not active at `at`, worded as for signatures (status
 * is judged when the request was made); undefined while it was active.
 */
export function secretStatusVerdict(key: LifecycleDates, status: EffectiveStatus, at: Date): Pick<Result, 'verdict' | 'detail'> | undefined {
  switch (status) {
    case 'revoked':
      return { verdict: 'revoked-key', detail: `HMAC matches, but the secret was revoked at ${key.revokedAt?.toISOString() ?? '?'}` };
    case 'expired':
      return { verdict: 'expired-key', detail: `HMAC matches, but the secret expired at ${key.expiresAt?.toISOString() ?? '?'}` };
    case 'pending':
      return { verdict: 'invalid', detail: `HMAC matches, but the secret was not yet active at ${at.toISOString()}` };
    case 'active':
      return undefined;
  }
}

/**
 * The finding for a reused nonce, made from the one the same request gets otherwise (its last trace
 * step replaced). A replay outranks clock skew. Exported because bulk inspection verifies HMACs in
 * worker threads and applies the capture-wide nonce state afterwards, in file order, on one thread.
 */
export function replayResult(unreplayed: Result, nonce: string, previousAt: Date | undefined, windowSec: number, sentAt: Date): Result {
  const { verdict: _verdict, detail: _detail, trace = [], ...withKey } = unreplayed;
  // A capture out of time order meets the replay first: then this request is the original, the other the replay.
  const detail =
    previousAt && previousAt.getTime() > sentAt.getTime()
      ? `nonce "${nonce}" is also used by a request sent later (${previousAt.toISOString()}, within ${windowSec} s) that comes earlier in the capture: that one is the replay (the capture is out of time order)`
      : `nonce "${nonce}" was already used at ${previousAt?.toISOString() ?? '?'}, within ${windowSec} s`;
  return {
    ...withKey,
    verdict: 'replay',
    detail,
    trace: [...trace.slice(0, -1), { step: 'result', label: 'result', value: 'nonce reused', ok: false }],
  };
}
