import type { InspectionContext } from '../inspect/context.ts';
import { looksLikeJws } from '../jose/decode.ts';
import { verifyJwtClaims } from '../jose/verify.ts';
import { exchangeTime, headerValues, type Result, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

/**
 * A JWT: the signature against the issuer's key from the trust store, then exp/nbf/iat with the clock
 * tolerance, then iss/aud when configured. An `exp` in the past is `expired`; other claim problems are
 * `invalid`. Also used by the workbench's `verify` for tokens that carry claims.
 */
export async function checkJwt(token: string, at: Date, ctx: InspectionContext): Promise<Result> {
  const check = await checkJws(token, at, ctx);
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
