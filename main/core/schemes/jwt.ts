import type { InspectionContext } from '../inspect/context.ts';
import { looksLikeJws } from '../jose/decode.ts';
import { verifyJwtClaims } from '../jose/verify.ts';
import { exchangeTime, headerValues, type Result, type Scheme } from './scheme.ts';
import { checkJws, type SignatureCheck } from './signature.ts';

/**
 * A JWT: the signature against the issuer's key from the trust store, then exp/nbf/iat with the clock
 * tolerance, then iss/aud when configured. An `exp` in the past is `expired`; other claim problems are
 * `invalid`. Also used by the workbench's `verify` for tokens that carry claims.
 */
export async function checkJwt(token: string, at: Date, ctx: InspectionContext): Promise<Result> {
  return withClaims(await checkJws(token, at, ctx), at, ctx);
}

/**
 * A signed body or a token given to the workbench: a JWS, judged on its claims too when it is a JWT
 * (`isJwt`), so a capture and `signet verify` give the same verdict for the same token.
 */
export async function checkSigned(token: string, at: Date, ctx: InspectionContext, detachedPayload?: Uint8Array): Promise<Result> {
  const check = await checkJws(token, at, ctx, detachedPayload);
  return check.verified && isJwt(check.verified.header, check.verified.payload) ? withClaims(check, at, ctx) : check.result;
}

const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

/**
 * A JWT is typed so (`typ: JWT`, `at+jwt`, `…+jwt`), or a claims set that names a registered claim.
 * Any other payload (a signed order body) is a plain JWS: the JWT issuer and audience settings do not
 * apply to it.
 */
function isJwt(header: Record<string, unknown>, payload: Uint8Array): boolean {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ === 'jwt' || typ.endsWith('+jwt') || typ.endsWith('/jwt')) return true;
  const text = utf8.decode(payload).trim();
  if (!text.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && REGISTERED_CLAIMS.some((claim) => Object.hasOwn(value, claim));
  } catch {
    return false;
  }
}

const utf8 = new TextDecoder();

function withClaims(check: SignatureCheck, at: Date, ctx: InspectionContext): Result {
  if (!check.verified || check.result.verdict !== 'valid') return check.result;
  const { settings } = ctx;
  const problems = verifyJwtClaims(check.verified.payload, {
    now: at,
    clockToleranceSec: settings.clockToleranceSec,
    ...(settings.jwtIssuers.length && { issuer: settings.jwtIssuers }),
    ...(settings.jwtAudiences.length && { audience: settings.jwtAudiences }),
  });
  if (problems.length === 0) return check.result;
  const onlyExpired = problems.every((problem) => problem.kind === 'expired');
  const trace = [...(check.result.trace ?? []).filter((step) => step.step !== 'result'), ...problems.map((problem) => ({ step: 'check' as const, label: problem.claim, value: problem.detail, ok: false }))];
  return { ...check.result, verdict: onlyExpired ? 'expired' : 'invalid', detail: problems.map((problem) => problem.detail).join('; '), trace };
}

/** `Authorization: Bearer <JWT>` access tokens (OCEN: issued by the auth service). */
export const jwtScheme: Scheme = {
  name: 'jwt',
  detect(exchange) {
    return headerValues(exchange.request.headers, 'authorization').flatMap((value) => {
      const token = /^bearer\s+(\S+)$/i.exec(value.trim())?.[1];
      if (!token || !looksLikeJws(token)) return [];
      return [{ scheme: 'jwt' as const, direction: 'request' as const, location: 'header:authorization', verify: (ctx) => checkJwt(token, exchangeTime(exchange, ctx), ctx) }];
    });
  },
};
