import { beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, signJwt, verifyCompact, verifyJwtClaims } from '../../../main/core/jose/index.ts';
import { generateSecret } from '../../../main/core/keys/generate.ts';
import { encoder } from './test-keys.ts';

const now = new Date('2026-03-01T12:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const at = (offsetSec: number) => new Date(now.getTime() + offsetSec * 1000);
const claimsOf = (claims: Record<string, unknown>) => encoder.encode(JSON.stringify(claims));

describe('signJwt', () => {
  let secret: Buffer;
  beforeAll(() => {
    secret = generateSecret(256);
  });

  it('signs the claims with iat from the injected clock, exp, nbf, iss, aud, jti and typ JWT', async () => {
    const token = await signJwt({
      key: { type: 'hmac' }, secret, kid: 'k1', now,
      claims: { sub: 'merchant-7' }, exp: at(300), nbf: at(-5), iss: 'https://auth.example', aud: ['api'], jti: 'j-1',
    });
    const decoded = decodeToken(token);
    expect(decoded.header).toEqual({ alg: 'HS256', kid: 'k1', typ: 'JWT' });
    expect(decoded.payload).toEqual({
      form: 'json',
      value: { sub: 'merchant-7', iat: seconds(now), exp: seconds(now) + 300, nbf: seconds(now) - 5, iss: 'https://auth.example', aud: ['api'], jti: 'j-1' },
    });
    await expect(verifyCompact(token, { key: { type: 'hmac' }, secret })).resolves.toMatchObject({ alg: 'HS256' });
  });

  it('leaves iat out when told to', async () => {
    const token = await signJwt({ key: { type: 'hmac' }, secret, kid: 'k1', iat: false, claims: { sub: 'x' } });
    expect(decodeToken(token).payload).toEqual({ form: 'json', value: { sub: 'x' } });
  });

  it('refuses a claim given both in the claims and as an option', async () => {
    await expect(signJwt({ key: { type: 'hmac' }, secret, kid: 'k1', now, claims: { iss: 'a' }, iss: 'b' })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });
});

describe('verifyJwtClaims', () => {
  it('finds no problem in a current token', () => {
    const payload = claimsOf({ iat: seconds(now) - 10, nbf: seconds(now) - 10, exp: seconds(now) + 60, iss: 'idp', aud: 'api' });
    expect(verifyJwtClaims(payload, { now, issuer: 'idp', audience: 'api', maxAgeSec: 60 })).toEqual([]);
  });

  it('reports an expired token', () => {
    const problems = verifyJwtClaims(claimsOf({ exp: seconds(now) - 1 }), { now });
    expect(problems).toMatchObject([{ claim: 'exp', kind: 'expired' }]);
  });

  it('treats exp equal to now as expired (RFC 7519 §4.1.4: now must be before exp)', () => {
    expect(verifyJwtClaims(claimsOf({ exp: seconds(now) }), { now })).toMatchObject([{ kind: 'expired' }]);
  });

  it('accepts an expiry inside the clock tolerance', () => {
    expect(verifyJwtClaims(claimsOf({ exp: seconds(now) - 30 }), { now, clockToleranceSec: 60 })).toEqual([]);
  });

  it('reports nbf and iat in the future', () => {
    const problems = verifyJwtClaims(claimsOf({ nbf: seconds(now) + 600, iat: seconds(now) + 600 }), { now, clockToleranceSec: 60 });
    expect(problems.map((problem) => problem.kind)).toEqual(['not-yet-valid', 'issued-in-future']);
  });

  it('reports the wrong issuer and audience together, as data', () => {
    const problems = verifyJwtClaims({ iss: 'evil', aud: ['other', 'more'] }, { now, issuer: ['idp', 'idp2'], audience: 'api' });
    expect(problems.map((problem) => problem.kind)).toEqual(['wrong-issuer', 'wrong-audience']);
    expect(problems[0]?.detail).toMatch(/"evil" is not idp or idp2/);
  });

  it('reports a missing audience when one is required', () => {
    expect(verifyJwtClaims({}, { now, audience: 'api' })).toMatchObject([{ claim: 'aud', kind: 'wrong-audience' }]);
  });

  it('reports a token older than the maximum age, and a missing iat', () => {
    expect(verifyJwtClaims({ iat: seconds(now) - 3600 }, { now, maxAgeSec: 600 })).toMatchObject([{ kind: 'too-old' }]);
    expect(verifyJwtClaims({}, { now, maxAgeSec: 600 })).toMatchObject([{ kind: 'missing-claim' }]);
  });

  it('reports malformed time claims and payloads that are not claims', () => {
    expect(verifyJwtClaims({ exp: '2026-01-01' }, { now })).toMatchObject([{ claim: 'exp', kind: 'malformed-claim' }]);
    expect(verifyJwtClaims(encoder.encode('not json'), { now })).toMatchObject([{ kind: 'not-a-claims-set' }]);
    expect(verifyJwtClaims(encoder.encode('[1,2]'), { now })).toMatchObject([{ kind: 'not-a-claims-set' }]);
  });
});
