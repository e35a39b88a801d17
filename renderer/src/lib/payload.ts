import type { DecodedPayloadView } from '../../../main/services/views.ts';

// A decoded JOSE payload as text to show: JSON pretty-printed, text as it is, bytes as base64.

export interface PayloadText {
  form: DecodedPayloadView['form'];
  text: string;
}

export function payloadText(payload: DecodedPayloadView | undefined): PayloadText | null {
  if (payload === undefined) return null;
  if (payload.form === 'json') return { form: 'json', text: JSON.stringify(payload.value, null, 2) };
  if (payload.form === 'text') return { form: 'text', text: payload.value };
  return { form: 'bytes', text: payload.base64 };
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/** RFC 7519 §4.1: exp, nbf and iat are NumericDates (seconds); shown as instants next to the JSON. */
export function timeClaims(payload: DecodedPayloadView | undefined): { name: string; iso: string }[] {
  if (payload?.form !== 'json') return [];
  const claims = payload.value;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return [];
  return TIME_CLAIMS.flatMap((name) => {
    const seconds: unknown = (claims as Record<string, unknown>)[name];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 1e11) return [];
    return [{ name, iso: new Date(seconds * 1000).toISOString() }];
  });
}
