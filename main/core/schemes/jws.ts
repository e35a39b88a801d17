import { looksLikeJws } from '../jose/decode.ts';
import { exchangeTime, joseText, messagesOf, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

/** A JWS compact body: merchant requests (KLIX), signed responses, provider callbacks. */
export const jwsScheme: Scheme = {
  name: 'jws',
  detect(exchange) {
    return messagesOf(exchange).flatMap(({ direction, message }) => {
      const text = joseText(message);
      if (text === undefined || !looksLikeJws(text)) return [];
      return [{ scheme: 'jws' as const, direction, location: 'body', verify: async (ctx) => (await checkJws(text, exchangeTime(exchange, ctx), ctx)).result }];
    });
  },
};
