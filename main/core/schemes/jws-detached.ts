import { exchangeTime, headerValues, messagesOf, type Detected, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

// An empty signature is kept too: `hdr..` with alg none is reported as unsigned, not skipped.
const DETACHED = /^eyJ[A-Za-z0-9_-]*\.\.[A-Za-z0-9_-]*$/;

/**
 * A detached JWS in a header (`Signature`, `x-jws-signature`) over the message body: RFC 7515
 * Appendix F, or RFC 7797 with `b64: false` (OCEN participants sign every request and response so).
 */
export const jwsDetachedScheme: Scheme = {
  name: 'jws-detached',
  detect(exchange, settings) {
    const found: Detected[] = [];
    for (const { direction, message } of messagesOf(exchange)) {
      for (const name of settings.signatureHeaders) {
        for (const value of headerValues(message.headers, name)) {
          const token = value.trim();
          if (!DETACHED.test(token)) continue;
          const body = message.body ?? new Uint8Array(0);
          found.push({
            scheme: 'jws-detached',
            direction,
            location: `header:${name.toLowerCase()}`,
            verify: async (ctx) => (await checkJws(token, exchangeTime(exchange, ctx), ctx, body)).result,
          });
        }
      }
    }
    return found;
  },
};
