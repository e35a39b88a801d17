import { looksLikeJws } from '../jose/decode.ts';
import { verifyJwtClaims } from '../jose/verify.ts';
import { exchangeTime, headerValues, type Scheme } from './scheme.ts';
import { checkJws } from './signature.ts';

/**
 * `Authorization: Bearer <JWT>` access tokens (OCEN: issued by the auth service): the signature against
 * the issuer's key from the trust store, then exp/nbf/iat with the clock tolerance, then iss/aud when
 * configured.
 */
export const jwtScheme: Scheme = {
  name: 'jwt',
  detect(exchange) {
    return headerValues(exchange.request.headers, 'authorization').flatMap((value) => {
      const match = /^bearer\s+(\S+)$/i.exec(value.trim());
      const token = match?.[1];
      if (!token || !looksLikeJws(token)) return [];
      return [
        {
          scheme: 'jwt' as const,
          direction: 'request' as const,
          location: 'header:authorization',
          async verify(ctx) {
            const at = exchangeTime(exchange, ctx);
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
            const expired = problems.find((problem) => problem.kind === 'expired');
            const worst = problems.find((problem) => problem.kind !== 'expired') ?? expired;
            const trace = [...(check.result.trace ?? []).filter((step) => step.step !== 'result'), ...problems.map((problem) => ({ step: 'check' as const, label: problem.claim, value: problem.detail, ok: false }))];
            const detail = problems.map((problem) => problem.detail).join('; ');
            return { ...check.result, verdict: worst === expired ? 'expired' : 'invalid', detail, trace };
          },
        },
      ];
    });
  },
};
