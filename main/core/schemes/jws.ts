import { looksLikeJws } from '../jose/decode.ts';
import { exchangeTime, joseText, messagesOf, type Scheme } from './scheme.ts';
import { checkSigned } from './jwt.ts';

/** A JWS compact body: merchant requests (KLIX), signed responses, provider callbacks, JWTs sent as bodies. */
export const jwsScheme: Scheme = {
  name: 'jws',
  detect(exchange) {
    return messagesOf(exchange).flatMap(({ direction, message }) => {
      const text = joseText(message);
      if (text === undefined || !looksLikeJws(text)) return [];
      return [{ scheme: 'jws' as const, direction, location: 'body', verify: (ctx) => checkSigned(text, exchangeTime(exchange, ctx), ctx) }];
    });
  },
};
