import { headerValues, type Detected, type Scheme } from './scheme.ts';

/**
 * API-key headers (KLIX: `X-KLIX-Api-Key`): matched against keys stored only as a hash plus their last
 * four characters. An unknown key is reported by its last four characters, never in full.
 */
export const apiKeyScheme: Scheme = {
  name: 'api-key',
  detect(exchange, settings) {
    const found: Detected[] = [];
    for (const name of settings.apiKeyHeaders) {
      for (const value of headerValues(exchange.request.headers, name)) {
        const presented = value.trim();
        if (!presented) continue;
        found.push({
          scheme: 'api-key',
          direction: 'request',
          location: `header:${name.toLowerCase()}`,
          verify(ctx) {
            const known = ctx.resolver.apiKey(presented);
            const tail = `…${presented.slice(-4)}`;
            return known
              ? { verdict: 'known', keyId: known.id, detail: `API key "${known.name}" (${tail})` }
              : { verdict: 'unknown', detail: `API key ${tail} is not in the keystore` };
          },
        });
      }
    }
    return found;
  },
};
