import { looksLikeJws } from '../jose/decode.ts';
import { bodyText, exchangeTime, messagesOf, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

/** A JWS compact body: merchant requests (KLIX), signed responses, provider callbacks. */
export const jwsScheme: Scheme = {
  name: 'jws',
  detect(exchange) {
    return messagesOf(exchange).flatMap(({ direction, message }) => {
      const text = bodyText(message)?.trim();
      if (text === undefined || !looksLikeJws(text)) return [];
      return [{ scheme: 'jws' as const, direction, location: 'body', verify: async (ctx) => (await checkJws(text, exchangeTime(exchange, ctx), ctx)).result }];
    });
  },
};
