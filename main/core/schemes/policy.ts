import { looksLikeJws } from '../jose/decode.ts';
import { parseHeaderSegment } from '../jose/encoding.ts';
import type { HttpRequest, HttpResponse } from '../traffic/exchange.ts';
import type { InspectionSettings } from '../inspect/context.ts';
import { holdsJws } from './jws-detached.ts';
import { headerValues, hostMatches, joseText, hostOf, MUTATING_METHODS, type Detected, type Scheme } from './scheme.ts';

function isSigned(message: HttpRequest | HttpResponse, settings: InspectionSettings): boolean {
  const text = joseText(message);
  if (text !== undefined && looksLikeJws(text)) return true;
  // A signature header counts only when it holds a JWS: an empty or garbled one signs nothing.
  return settings.signatureHeaders.some((name) => headerValues(message.headers, name).some(holdsJws));
}

function violation(direction: 'request' | 'response', detail: string): Detected {
  return { scheme: 'policy', direction, location: 'body', verify: () => ({ verdict: 'violation', detail }) };
}

/**
 * The HMAC algorithm (HS*) of a JWS the message carries, if any. Hosts whose messages must be signed
 * want the sender's private key (partner 003: "shared keys could be stolen from both parties").
 */
function sharedSecretAlg(message: HttpRequest | HttpResponse, settings: InspectionSettings): string | undefined {
  const text = joseText(message);
  const tokens = [...(text !== undefined && looksLikeJws(text) ? [text] : []), ...settings.signatureHeaders.flatMap((name) => headerValues(message.headers, name).filter(holdsJws))];
  for (const token of tokens) {
    try {
      const { alg } = parseHeaderSegment(token.trim().split('.')[0] ?? '', 'JWS header');
      if (typeof alg === 'string' && alg.toUpperCase().startsWith('HS')) return alg;
    } catch {
      // A header that does not parse is the JWS schemes' finding to report, not the policy's.
    }
  }
  return undefined;
}

/** An unsigned-looking message breaks `rule`, unless the capture did not keep its body: it may have been a JWS. */
function unsigned(message: HttpRequest | HttpResponse, direction: 'request' | 'response', what: string, rule: string): Detected {
  if (message.bodyCapture !== 'missing') return violation(direction, `unsigned ${what}: ${rule}`);
  const detail = `the capture did not record the body of this ${what}, so whether it was signed cannot be told (${rule})`;
  return { scheme: 'policy', direction, location: 'body', verify: () => ({ verdict: 'unknown', detail }) };
}

/**
 * Policy rules from settings (KLIX: JWS on every POST/PUT/DELETE, never on GET, an API key on every
 * request; OCEN: signed responses). Only breaks are reported; a request that follows the rules adds
 * no finding.
 */
export const policyScheme: Scheme = {
  name: 'policy',
  detect(exchange, settings) {
    const found: Detected[] = [];
    const { request, response } = exchange;
    const host = hostOf(request);
    const method = request.method.toUpperCase();
    if (hostMatches(host, settings.signedRequestHosts)) {
      const signed = isSigned(request, settings);
      if (MUTATING_METHODS.has(method) && !signed) found.push(unsigned(request, 'request', `${method} to ${host}`, 'mutating requests to this host must carry a JWS'));
      if (method === 'GET' && signed) found.push(violation('request', `signed GET to ${host}: GET requests must not be signed`));
      const shared = signed && method !== 'GET' ? sharedSecretAlg(request, settings) : undefined;
      if (shared) found.push(violation('request', `${method} to ${host} signed with a shared secret (${shared}): requests to this host must be signed with the sender's private key`));
    }
    if (hostMatches(host, settings.apiKeyHosts) && !settings.apiKeyHeaders.some((name) => headerValues(request.headers, name).some((value) => value.trim() !== ''))) {
      found.push(violation('request', `request to ${host} without an API key: every request to this host must carry ${settings.apiKeyHeaders.join(' or ') || 'one (no API key header is configured)'}`));
    }
    if (response && hostMatches(host, settings.signedResponseHosts)) {
      if (!isSigned(response, settings)) found.push(unsigned(response, 'response', `response from ${host}`, 'responses from this host must be signed'));
      else {
        const shared = sharedSecretAlg(response, settings);
        if (shared) found.push(violation('response', `response from ${host} signed with a shared secret (${shared}): responses from this host must be signed with its private key`));
      }
    }
    return found;
  },
};
