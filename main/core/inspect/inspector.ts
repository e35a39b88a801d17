import { SignetError } from '../errors.ts';
import { apiKeyScheme } from '../schemes/api-key.ts';
import { hmacOpgScheme } from '../schemes/hmac-opg.ts';
import { jweScheme } from '../schemes/jwe.ts';
import { jwsDetachedScheme } from '../schemes/jws-detached.ts';
import { jwsScheme } from '../schemes/jws.ts';
import { jwtScheme } from '../schemes/jwt.ts';
import { keyAgreementScheme } from '../schemes/key-agreement.ts';
import { policyScheme } from '../schemes/policy.ts';
import type { Detected, Scheme } from '../schemes/scheme.ts';
import type { Exchange, MalformedEntry } from '../traffic/exchange.ts';
import type { InspectionContext, InspectionSettings } from './context.ts';
import type { Finding, Verdict } from './findings.ts';

/** Every scheme Signet understands, in the order findings are listed for an exchange. */
export const SCHEME_MODULES: readonly Scheme[] = [jwtScheme, hmacOpgScheme, apiKeyScheme, jwsScheme, jwsDetachedScheme, jweScheme, keyAgreementScheme, policyScheme];

/**
 * What to check in an exchange. A side that could not be read (see `Exchange.unreadable`) is one
 * malformed finding, and only its header-only checks (a bearer JWT, an API key) run: the others would
 * judge a body that is not the one sent.
 */
export function detect(exchange: Exchange, settings: InspectionSettings): Detected[] {
  const detected = [...ambiguousAuthorization(exchange), ...SCHEME_MODULES.flatMap((scheme) => scheme.detect(exchange, settings))];
  const { unreadable } = exchange;
  if (unreadable === undefined) return detected;
  const unread = (direction: Detected['direction']) => unreadable.some((part) => part.direction === direction);
  return [
    ...unreadable.map((part): Detected => ({ scheme: 'capture', direction: part.direction, location: part.location, verify: () => ({ verdict: 'malformed', detail: part.reason }) })),
    ...detected.filter((item) => !unread(item.direction) || HEADER_ONLY.has(item.scheme)),
  ];
}

/**
 * Authorization is a singleton field (RFC 9110 §11.6.2): with two, one server or proxy checks the first
 * and another acts on the last, so each being valid on its own says nothing about the request.
 */
function ambiguousAuthorization(exchange: Exchange): Detected[] {
  const count = exchange.request.headers.filter((header) => header.name.toLowerCase() === 'authorization').length;
  if (count < 2) return [];
  const detail = `${count} Authorization headers: servers and proxies differ on which one counts (RFC 9110 §11.6.2 allows one)`;
  return [{ scheme: 'capture', direction: 'request', location: 'header:authorization', verify: () => ({ verdict: 'malformed', detail }) }];
}

/** Schemes that read only headers: a body that cannot be read does not touch what they check. */
const HEADER_ONLY: ReadonlySet<Detected['scheme']> = new Set(['jwt', 'api-key']);

/**
 * Runs every detector over one exchange and verifies what they found. Exchanges must be inspected in
 * file order: replay detection keeps state across the capture.
 */
export async function inspectExchange(exchange: Exchange, ctx: InspectionContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const detected of detect(exchange, ctx.settings)) findings.push(await runCheck(exchange.index, detected, ctx));
  return findings;
}

/** One detection's check, placed in its exchange. */
export async function runCheck(exchangeIndex: number, detected: Pick<Detected, 'direction' | 'scheme' | 'location' | 'verify'>, ctx: InspectionContext): Promise<Finding> {
  const base = { exchange: exchangeIndex, direction: detected.direction, scheme: detected.scheme, location: detected.location };
  try {
    return Object.assign(base, await detected.verify(ctx));
  } catch (error) {
    // A detector that throws must not lose the rest of the capture: the failure becomes the finding.
    return { ...base, verdict: 'malformed', detail: error instanceof SignetError ? error.message : 'this item could not be checked' };
  }
}

export function malformedFinding(entry: MalformedEntry): Finding {
  return { exchange: entry.index, direction: 'request', scheme: 'capture', location: `offset:${entry.offset}`, verdict: 'malformed', detail: entry.reason };
}

export function countVerdicts(findings: Iterable<Finding>, into: Partial<Record<Verdict, number>> = {}): Partial<Record<Verdict, number>> {
  for (const finding of findings) into[finding.verdict] = (into[finding.verdict] ?? 0) + 1;
  return into;
}
