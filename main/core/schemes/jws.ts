import { looksLikeJws } from '../jose/decode.ts';
import { headerValue } from '../traffic/exchange.ts';
import { exchangeTime, joseText, messagesOf, type Detected, type Scheme } from './scheme.ts';
import { checkSigned } from './jwt.ts';

/** Media types of JOSE bodies: application/jose, application/jwt, application/…+jwt (RFC 7515 §9.2.1, RFC 7519 §10.3.1). */
const JOSE_TYPE = /^\s*application\/(?:jose|jwt|[\w.+-]*\+jwt)\s*(?:;|$)/i;

/** A JWS compact body: merchant requests (KLIX), signed responses, provider callbacks, JWTs sent as bodies. */
export const jwsScheme: Scheme = {
  name: 'jws',
  detect(exchange) {
    return messagesOf(exchange).flatMap(({ direction, message }): Detected[] => {
      if (message.bodyCapture === 'missing' && JOSE_TYPE.test(message.bodyMimeType ?? headerValue(message.headers, 'content-type') ?? '')) {
        // Typed as JOSE but not recorded: a signature the capture lost, said rather than passed over.
        const detail = 'the capture did not record this body, typed as a JOSE object: whatever it signed or encrypted cannot be checked';
        return [{ scheme: 'jws', direction, location: 'body', verify: () => ({ verdict: 'unknown', detail }) }];
      }
      const text = joseText(message);
      if (text === undefined || !looksLikeJws(text)) return [];
      return [{ scheme: 'jws', direction, location: 'body', verify: (ctx) => checkSigned(text, exchangeTime(exchange, ctx), ctx) }];
    });
  },
};
