import { textToBase64 } from '../../../lib/files.ts';

/** The request both HMAC tools work on; signing fills in the header the verifier then checks. */
export class HmacRequest {
  method = $state('POST');
  url = $state('https://api.onepoint.test/v1/payments?channel=web');
  body = $state('{"amount":"25.00","currency":"EUR"}');
  /** The Authorization value ("X-OPG-Signature AppId:Signature:Nonce:Timestamp"). */
  header = $state('');

  problem(): string {
    return this.url.trim() ? '' : 'Enter the request URL (or the path and query as sent).';
  }

  input(): { method: string; uri: string; bodyBase64?: string } {
    return { method: this.method, uri: this.url.trim(), ...(this.body && { bodyBase64: textToBase64(this.body) }) };
  }
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Whether a request URL names its host, or is only the path and query as sent (what the signature covers). */
export function namesHost(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim());
}

/**
 * A curl command that sends the request as signed (POSIX shell quoting). curl cannot send a path alone:
 * without a host the URL gets a `<host>` placeholder to fill in.
 */
export function curlLine(request: { method: string; url: string; body: string }, authorization: string): string {
  const url = request.url.trim();
  const target = namesHost(url) ? url : `https://<host>${url.startsWith('/') ? '' : '/'}${url}`;
  const parts = ['curl', '-X', request.method, quote(target), '-H', quote(`Authorization: ${authorization}`)];
  if (request.body) parts.push('-H', quote('Content-Type: application/json'), '--data-binary', quote(request.body));
  return parts.join(' ');
}
