import { headerValues, type Detected, type Scheme } from './scheme.ts';

/** Signet's own redaction marks (`[redacted by Signet]`, `[redacted API key …WXYZ]`), met again in a sanitized export. */
const REDACTION_MARK = /^\[redacted\b.*\]$/s;

/**
 * How a stored capture and a sanitized export write an API key: its last four characters only, as the
 * keystore keeps them. A value already redacted (a stored capture exported) is left as it is.
 */
export function redactedApiKey(value: string): string {
  const presented = value.trim();
  return REDACTION_MARK.test(presented) ? presented : `[redacted API key …${presented.slice(-4)}]`;
}

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
        // A redaction mark is not a key: re-checking a sanitized export must not report "…XYZ]" as unknown.
        if (!presented || REDACTION_MARK.test(presented)) continue;
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
