import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { b64u, CLAIMS, forgeJws, jweWithHeader, nested, offCurve, publicJwkOf } from './builders.ts';
import type { CorpusCase, CorpusInput } from './cases.ts';

// The JOSE half of the corpus: JWS and JWE built to attack a verifier or a decrypter.

const jws = (token: string): CorpusInput => ({ target: 'jws', token });
const header = (fields: Record<string, unknown>) => JSON.stringify(fields);

/** An RS256 signature segment re-encoded with non-zero spare bits: same bytes, another text. */
function nonCanonical(token: string): string {
  const parts = token.split('.');
  const signature = parts[2] ?? '';
  const last = signature.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 256 bytes end on one character holding 2 bits: the other 4 must be zero in the canonical form.
  parts[2] = `${signature.slice(0, -1)}${alphabet[(alphabet.indexOf(last) & 0b110000) | 0b0001]}`;
  return parts.join('.');
}


export const JOSE_CASES: CorpusCase[] = [
  // --- alg: none (RFC 8725 §3.1) ---
  {
    id: 'jws-alg-none',
    threat: 'an unsigned token presented as signed',
    build: ({ keys }) => jws(`${b64u(header({ alg: 'none', kid: keys.rsa.kid }))}.${b64u(CLAIMS)}.AAAA`),
    core: 'ERR_ALG_NOT_ALLOWED',
    service: 'invalid',
    message: /alg none/,
  },
  {
    id: 'jws-alg-none-mixed-case',
    threat: 'alg "nOnE" slipping past a case-sensitive check',
    build: ({ keys }) => jws(`${b64u(header({ alg: 'nOnE', kid: keys.rsa.kid }))}.${b64u(CLAIMS)}.AAAA`),
    core: 'ERR_ALG_NOT_ALLOWED',
    service: 'invalid',
  },
  {
    id: 'jws-alg-none-empty-signature',
    threat: 'the classic unsigned form: header.payload. with nothing after the last dot',
    build: () => jws(`${b64u(header({ alg: 'none' }))}.${b64u(CLAIMS)}.`),
    core: 'ERR_ALG_NOT_ALLOWED',
    service: 'invalid',
    message: /alg none/,
  },
  // --- RS/HS key confusion: the RSA public key used as an HMAC secret ---
  ...(['pem', 'der', 'jwk'] as const).map(
    (form): CorpusCase => ({
      id: `jws-rs-hs-confusion-${form}`,
      threat: `HS256 keyed with the merchant's RSA public key (${form.toUpperCase()}), naming the RSA key's kid`,
      build: ({ keys }) => {
        const secret =
          form === 'pem'
            ? Buffer.from(keys.rsa.publicKey.export({ format: 'pem', type: 'spki' }))
            : form === 'der'
              ? keys.rsa.publicKey.export({ format: 'der', type: 'spki' })
              : Buffer.from(JSON.stringify(publicJwkOf(keys.rsa.publicKey)));
        return jws(forgeJws(header({ alg: 'HS256', kid: keys.rsa.kid }), 'HS256', secret));
      },
      core: 'ERR_ALG_NOT_ALLOWED',
      service: 'invalid',
      message: /key confusion/,
    }),
  ),
  // --- keys taken from the message (RFC 8725 §3.10) ---
  {
    id: 'jws-embedded-jwk-no-kid',
    threat: "the attacker's own key embedded as `jwk`, no kid",
    build: ({ keys }) => jws(forgeJws(header({ alg: 'ES256', jwk: publicJwkOf(keys.attacker.ecPublic) }), 'ES256', keys.attacker.ec)),
    core: 'ERR_ALG_NOT_ALLOWED',
    service: 'unknown-key',
  },
  {
    id: 'jws-embedded-jwk-held-kid',
    threat: "the attacker's key embedded as `jwk`, naming the merchant's kid",
    build: ({ keys }) => jws(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid, jwk: publicJwkOf(keys.attacker.rsa) }), 'RS256', keys.attacker.rsa)),
    core: 'ERR_VERIFY_FAILED',
    service: 'invalid',
  },
  {
    id: 'jws-jku',
    threat: 'a `jku` URL to fetch the attacker key set from (SSRF and key injection)',
    build: ({ keys, fetchTrap }) => jws(forgeJws(header({ alg: 'RS256', kid: 'attacker-1', jku: `${fetchTrap}/jwks.json` }), 'RS256', keys.attacker.rsa)),
    core: 'ERR_VERIFY_FAILED',
    service: 'unknown-key',
  },
  {
    id: 'jws-x5u',
    threat: 'an `x5u` URL to fetch a certificate from',
    build: ({ keys, fetchTrap }) => jws(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid, x5u: `${fetchTrap}/cert.pem` }), 'RS256', keys.attacker.rsa)),
    core: 'ERR_VERIFY_FAILED',
    service: 'invalid',
  },
  {
    id: 'jws-x5c',
    threat: "the attacker's self-signed certificate in `x5c`, subject named like the merchant key",
    build: ({ keys }) => jws(forgeJws(header({ alg: 'ES256', kid: keys.rsa.kid, x5c: [keys.attacker.certificate.toString('base64')] }), 'ES256', keys.attacker.ec)),
    core: 'ERR_ALG_NOT_ALLOWED',
    service: 'invalid',
  },
  // --- kid injection: a kid is only ever looked up, never used as a path or in SQL ---
  ...[
    ['path-traversal', '../../../../../../etc/passwd'],
    ['sql-tautology', "x' OR '1'='1"],
    ['sql-drop', '"; DROP TABLE keys; --'],
    ['nul-suffix', 'merchant-rsa\u0000'],
    ['huge', 'k'.repeat(10_000)],
  ].map(
    ([name, kid]): CorpusCase => ({
      id: `jws-kid-${name}`,
      threat: `a kid built to be a path, SQL or oversized (${name}) is just an unknown kid`,
      build: ({ keys }) => jws(forgeJws(header({ alg: 'RS256', kid }), 'RS256', keys.attacker.rsa)),
      core: 'ERR_VERIFY_FAILED',
      service: 'unknown-key',
    }),
  ),
  // --- crit (RFC 7515 §4.1.11) ---
  {
    id: 'jws-crit-unknown',
    threat: 'a critical extension Signet does not understand, on a validly signed token',
    build: ({ keys }) => jws(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid, crit: ['urn:example:risk-level'], 'urn:example:risk-level': 'low' }), 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_UNSUPPORTED',
    service: 'invalid',
    message: /does not understand/,
  },
  {
    id: 'jws-crit-registered',
    threat: '`crit` naming a registered parameter (forbidden by RFC 7515 §4.1.11)',
    build: ({ keys }) => jws(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid, crit: ['alg'] }), 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_MALFORMED',
    service: 'malformed',
  },
  // --- duplicate members: refused in JOSE headers (RFC 7515 §4) ---
  {
    id: 'jws-duplicate-alg',
    threat: 'two `alg` members: a first-wins parser and a last-wins parser verify different tokens',
    build: ({ keys }) => jws(forgeJws(`{"alg":"HS256","kid":"${keys.rsa.kid}","alg":"RS256"}`, 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
    message: /names "alg" twice/,
  },
  {
    id: 'jws-duplicate-kid',
    threat: 'two `kid` members, the last one naming the held key',
    build: ({ keys }) => jws(forgeJws(`{"alg":"RS256","kid":"attacker","kid":"${keys.rsa.kid}"}`, 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
  },
  {
    id: 'jws-duplicate-escaped-name',
    threat: 'a duplicate spelled with a JSON escape ("al\\u0067")',
    build: ({ keys }) => jws(forgeJws(`{"alg":"RS256","kid":"${keys.rsa.kid}","al\\u0067":"none"}`, 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
  },
  {
    id: 'jws-header-nested-10000',
    threat: 'a header 10 000 levels deep (stack exhaustion in a recursive parser)',
    build: ({ keys }) => jws(forgeJws(`{"alg":"RS256","kid":"${keys.rsa.kid}","x":${nested(10_000)}}`, 'RS256', keys.rsa.privateKey)),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
    message: /nested 10001 levels deep/,
  },
  {
    id: 'jws-payload-nested-10000',
    threat: 'a validly signed payload 10 000 levels deep (printing it would overflow the stack)',
    build: ({ keys }) => jws(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid }), 'RS256', keys.rsa.privateKey, nested(10_000))),
    core: 'ok',
    service: 'valid',
  },
  // --- base64 that is not ---
  {
    id: 'jws-base64-standard-alphabet',
    threat: '"+" and "/" in a base64url segment (decoders that skip them verify other bytes)',
    build: ({ keys }) => jws(`${forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid }), 'RS256', keys.rsa.privateKey).slice(0, -4)}ab+/`),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
  },
  {
    id: 'jws-base64-non-canonical',
    threat: 'a signature whose last character carries non-zero spare bits (two texts, one signature)',
    build: ({ keys }) => jws(nonCanonical(forgeJws(header({ alg: 'RS256', kid: keys.rsa.kid }), 'RS256', keys.rsa.privateKey))),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
  },
  // --- UTF-16 lone surrogates ---
  {
    id: 'jws-header-lone-surrogate-bytes',
    threat: 'a header holding the UTF-8-style encoding of a lone surrogate (ED A0 80)',
    build: ({ keys }) => {
      const headerBytes = Buffer.concat([Buffer.from(`{"alg":"RS256","kid":"${keys.rsa.kid}`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
      return jws(`${b64u(headerBytes)}.${b64u(CLAIMS)}.${b64u(randomBytes(256))}`);
    },
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
    message: /not UTF-8/,
  },
  {
    id: 'jws-kid-escaped-lone-surrogate',
    threat: 'a kid that is a lone surrogate written as a JSON escape',
    build: ({ keys }) => jws(forgeJws('{"alg":"RS256","kid":"\\ud800"}', 'RS256', keys.rsa.privateKey)),
    core: 'ok',
    service: 'unknown-key',
  },

  // --- JWE ---
  {
    id: 'jwe-pbes2-p2c-1e9',
    threat: 'PBES2 with p2c = 10^9: a billion PBKDF2 rounds before anything is checked (CPU exhaustion)',
    build: () => ({
      target: 'jwe',
      pbes2: true,
      token: [b64u(header({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM', p2c: 1_000_000_000, p2s: b64u(randomBytes(16)) })), b64u(randomBytes(24)), b64u(randomBytes(12)), b64u(randomBytes(32)), b64u(randomBytes(16))].join('.'),
    }),
    core: 'ERR_JOSE_UNSUPPORTED',
    service: 'ERR_DECRYPT_FAILED',
    message: /p2c=1000000000 is above the limit/,
  },
  {
    id: 'jwe-zip',
    threat: 'a compressed JWE (decompression bomb)',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, zip: 'DEF' })) }),
    core: 'ERR_JOSE_UNSUPPORTED',
    service: 'ERR_DECRYPT_FAILED',
    message: /decompression/,
  },
  {
    id: 'jwe-ecdh-es-off-curve-epk',
    threat: 'ECDH-ES with an ephemeral point off the curve (the invalid-curve attack on the private key)',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, epk: offCurve(keys.ecEnc.publicKey) })) }),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_DECRYPT_FAILED',
    message: /invalid-curve/,
  },
  {
    id: 'jwe-ecdh-es-epk-other-curve',
    threat: 'ECDH-ES with an ephemeral key on another curve than the recipient key',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, epk: publicJwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey) })) }),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_DECRYPT_FAILED',
  },
  {
    id: 'jwe-ecdh-es-epk-with-private-part',
    threat: 'an `epk` carrying a private key ("d")',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, epk: { ...(fields.epk as object), d: b64u(randomBytes(32)) } })) }),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_DECRYPT_FAILED',
  },
  {
    id: 'jwe-crit-unknown',
    threat: 'a JWE naming a critical extension',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, crit: ['urn:example:x'], 'urn:example:x': 1 })) }),
    core: 'ERR_JOSE_UNSUPPORTED',
    service: 'ERR_DECRYPT_FAILED',
  },
  {
    id: 'jwe-duplicate-enc',
    threat: 'two `enc` members in a JWE header',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => JSON.stringify(fields).replace(/^\{/, '{"enc":"A128GCM",')) }),
    core: 'ERR_JOSE_MALFORMED',
    service: 'ERR_JOSE_MALFORMED',
  },
  {
    id: 'jwe-rsa1_5',
    threat: 'RSA1_5 key transport (padding oracles, CVE-2023-46809)',
    build: async ({ keys }) => ({ target: 'jwe', token: await jweWithHeader(keys, (fields) => ({ ...fields, alg: 'RSA1_5' })) }),
    core: 'ERR_JOSE_UNSUPPORTED',
    service: 'ERR_DECRYPT_FAILED',
  },

];
