import { Buffer } from 'node:buffer';
import type { InspectionContext } from '../inspect/context.ts';
import { looksLikeJws } from '../jose/decode.ts';
import type { Exchange, HttpRequest, HttpResponse } from '../traffic/exchange.ts';
import { exchangeTime, headerValues, messagesOf, REBUILT, type Detected, type Result, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

// An empty signature is kept too: `hdr..` with alg none is reported as unsigned, not skipped.
const DETACHED = /^eyJ[A-Za-z0-9_-]*\.\.[A-Za-z0-9_-]*$/;

/** HTTP Message Signatures (RFC 9421 `sig1=:…:`, the older cavage draft `keyId="…"`) share the header name. */
const HTTP_MESSAGE_SIGNATURE = /^[a-z][a-z0-9_-]*=:|keyid\s*=\s*"/i;

/** Whether a signature header's value is a JWS at all (for the policy rules: a garbled value signs nothing). */
export function holdsJws(value: string): boolean {
  const token = value.trim();
  return DETACHED.test(token) || looksLikeJws(token);
}

/**
 * A detached JWS in a header (`Signature`, `x-jws-signature`) over the message body: RFC 7515
 * Appendix F, or RFC 7797 with `b64: false` (OCEN participants sign every request and response so).
 * Every value of such a header is judged: one that is not a detached JWS must not pass unseen.
 */
export const jwsDetachedScheme: Scheme = {
  name: 'jws-detached',
  detect(exchange, settings) {
    const found: Detected[] = [];
    for (const { direction, message } of messagesOf(exchange)) {
      for (const name of settings.signatureHeaders) {
        for (const value of headerValues(message.headers, name)) {
          const token = value.trim();
          found.push({
            scheme: 'jws-detached',
            direction,
            location: `header:${name.toLowerCase()}`,
            verify: (ctx) => checkHeaderValue(token, message, exchange, ctx),
          });
        }
      }
    }
    return found;
  },
};

async function checkHeaderValue(token: string, message: HttpRequest | HttpResponse, exchange: Exchange, ctx: InspectionContext): Promise<Result> {
  const at = exchangeTime(exchange, ctx);
  const body = message.body ?? new Uint8Array(0);
  const detached = DETACHED.test(token);
  if (detached || looksLikeJws(token)) {
    if (message.bodyCapture === 'missing') return { verdict: 'unknown', detail: 'the capture did not record the body this signature header covers: it cannot be checked' };
    const result = detached ? (await checkJws(token, at, ctx, body)).result : attachedInHeader(await checkJws(token, at, ctx), body);
    return message.bodyCapture === 'rebuilt' && result.verdict === 'invalid' ? { ...result, verdict: 'unknown', detail: `the signature does not verify over the body as rebuilt from the capture's form params: ${REBUILT}` } : result;
  }
  if (token === '') return { verdict: 'malformed', detail: 'the signature header is empty' };
  if (HTTP_MESSAGE_SIGNATURE.test(token)) return { verdict: 'unknown', detail: 'an HTTP Message Signature (RFC 9421), not a JWS: Signet does not check it' };
  return { verdict: 'malformed', detail: 'the signature header holds no JWS (a detached JWS reads header..signature, RFC 7515 Appendix F)' };
}

/** A JWS with its payload in the header signs that payload: it vouches for the body only if they are the same bytes. */
function attachedInHeader(check: Awaited<ReturnType<typeof checkJws>>, body: Uint8Array): Result {
  const { result, verified } = check;
  if (!verified) return result;
  if (!Buffer.from(verified.payload).equals(body)) {
    return { ...result, verdict: 'invalid', detail: `the header's JWS carries its own payload, which is not the body (${verified.payload.length} bytes signed, ${body.length} in the body): it does not sign this message` };
  }
  return { ...result, detail: `${result.detail} (the JWS carries the body as its payload rather than detached)` };
}
