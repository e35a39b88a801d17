import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { checkKeyPair, describeImportedKey, samePublicKey } from './describe.ts';
import type { KeyUse, ParsedKey, ParsedKeyFile } from './types.ts';

type Kty = 'RSA' | 'EC' | 'OKP';

// RFC 7518 §6: the members each key type needs.
const PUBLIC_MEMBERS: Record<Kty, string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };
const PRIVATE_MEMBERS: Record<Kty, string[]> = { RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'], EC: ['d'], OKP: ['d'] };
const CURVES: Record<Kty, string[]> = { RSA: [], EC: ['P-256', 'P-384', 'P-521'], OKP: ['Ed25519', 'X25519'] };
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

type JsonObject = Record<string, unknown>;

/** Reads a JWK (RFC 7517 §4) or a JWK Set (§5) from JSON text. */
export function parseJwkText(text: string): ParsedKeyFile {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', 'truncated or invalid JSON: expected a JWK or a JWKS');
  }
  if (!isObject(document)) throw new SignetError('ERR_KEY_FORMAT', 'JSON is not a JWK or a JWKS (expected an object)');
  const result: ParsedKeyFile = { format: 'jwk', keys: [], secrets: [] };
  if ('keys' in document) {
    result.format = 'jwks';
    const members = document.keys;
    if (!Array.isArray(members)) throw new SignetError('ERR_KEY_FORMAT', "JWKS member 'keys' must be an array");
    if (members.length === 0) throw new SignetError('ERR_KEY_FORMAT', 'the JWKS holds no keys');
    members.forEach((member: unknown, index) => addJwk(result, member, `JWKS key #${index + 1}: `));
  } else {
    addJwk(result, document, '');
  }
  return result;
}

function addJwk(result: ParsedKeyFile, value: unknown, where: string): void {
  try {
    if (!isObject(value)) throw new SignetError('ERR_KEY_FORMAT', 'a JWK must be a JSON object');
    const kty = value.kty;
    if (kty === undefined) throw new SignetError('ERR_KEY_FORMAT', "JWK is missing 'kty'");
    const meta = readMeta(value);
    if (kty === 'oct') {
      // Its `use` whatever it says, and its `key_ops`: a secret meant for anything but signatures is refused on import.
      const keyOps = readKeyOps(value);
      result.secrets.push({
        secret: decodeMember(value, 'k'),
        ...(meta.kid ? { kid: meta.kid } : {}),
        ...(meta.alg ? { alg: meta.alg } : {}),
        ...(typeof value.use === 'string' ? { use: value.use } : {}),
        ...(keyOps ? { keyOps } : {}),
      });
      return;
    }
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
      throw new SignetError('ERR_KEY_FORMAT', `unsupported JWK kty ${quoted(kty)}; Signet reads RSA, EC, OKP and oct`);
    }
    result.keys.push({ ...readAsymmetric(value, kty), ...meta });
  } catch (error) {
    if (error instanceof SignetError && where) throw new SignetError(error.code, where + error.message);
    throw error;
  }
}

function readAsymmetric(jwk: JsonObject, kty: Kty): ParsedKey {
  for (const member of PUBLIC_MEMBERS[kty]) requireString(jwk, member);
  if (kty !== 'RSA' && !CURVES[kty].includes(String(jwk.crv))) {
    throw new SignetError('ERR_KEY_FORMAT', `unsupported ${kty} curve ${quoted(jwk.crv)}; Signet handles ${CURVES[kty].join(', ')}`);
  }
  const publicMembers: JsonWebKey = { kty };
  for (const member of PUBLIC_MEMBERS[kty]) publicMembers[member] = jwk[member];
  const publicKey = importJwk(() => createPublicKey({ key: publicMembers, format: 'jwk' }), kty);

  let privateKey: KeyObject | undefined;
  if (jwk.d !== undefined) {
    if (kty === 'RSA' && jwk.p === undefined) {
      // RFC 7518 §6.3.2 lets a producer omit the CRT members; Node (like most libraries) cannot import such a key.
      throw new SignetError('ERR_KEY_FORMAT', "RSA JWKs without their CRT members ('p', 'q', 'dp', 'dq', 'qi') are not supported");
    }
    const privateMembers: JsonWebKey = { ...publicMembers };
    for (const member of PRIVATE_MEMBERS[kty]) {
      requireString(jwk, member);
      privateMembers[member] = jwk[member];
    }
    privateKey = importJwk(() => createPrivateKey({ key: privateMembers, format: 'jwk' }), kty);
    assertHalvesMatch(publicKey, privateKey);
  }
  const key: ParsedKey = { ...describeImportedKey(publicKey), publicKey, certificates: readX5c(jwk, publicKey) };
  if (privateKey) key.privateKey = privateKey;
  return key;
}

function importJwk(create: () => KeyObject, kty: Kty): KeyObject {
  try {
    return create();
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', `JWK is not a valid ${kty} key`);
  }
}

/** Node trusts the public members of a private JWK (EC) or ignores them (OKP): see checkKeyPair. */
function assertHalvesMatch(publicKey: KeyObject, privateKey: KeyObject): void {
  const check = checkKeyPair(publicKey, privateKey);
  if (check === 'unusable') throw new SignetError('ERR_KEY_FORMAT', 'JWK is not a valid key: its private members cannot be used');
  if (check === 'different-keys') throw new SignetError('ERR_KEY_FORMAT', "the JWK's private and public members belong to different keys");
}

/** RFC 7517 §4.7: `x5c` holds Base64 (not base64url) DER certificates, the first one for this key. */
function readX5c(jwk: JsonObject, publicKey: KeyObject): Buffer[] {
  if (jwk.x5c === undefined) return [];
  if (!Array.isArray(jwk.x5c) || jwk.x5c.length === 0 || jwk.x5c.some((entry) => typeof entry !== 'string' || !BASE64.test(entry))) {
    throw new SignetError('ERR_KEY_FORMAT', "JWK member 'x5c' must be a non-empty array of Base64 certificates");
  }
  const certificates = jwk.x5c.map((entry: string) => Buffer.from(entry, 'base64'));
  let leafKey: KeyObject;
  try {
    leafKey = new X509Certificate(certificates[0] ?? Buffer.alloc(0)).publicKey;
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', "the first 'x5c' entry is not a valid X.509 certificate");
  }
  if (!samePublicKey(leafKey, publicKey)) throw new SignetError('ERR_KEY_FORMAT', "the first 'x5c' certificate does not hold the JWK's key");
  return certificates;
}

function readMeta(jwk: JsonObject): { kid?: string; alg?: string; use?: KeyUse } {
  const meta: { kid?: string; alg?: string; use?: KeyUse } = {};
  for (const member of ['kid', 'alg', 'use'] as const) {
    if (jwk[member] !== undefined && typeof jwk[member] !== 'string') throw new SignetError('ERR_KEY_FORMAT', `JWK member '${member}' must be a string`);
  }
  for (const member of ['kid', 'alg'] as const) {
    // A lone surrogate cannot be stored as UTF-8: it would be saved as U+FFFD and match another kid.
    if (typeof jwk[member] === 'string' && /\p{Surrogate}/u.test(jwk[member])) {
      throw new SignetError('ERR_KEY_FORMAT', `JWK member '${member}' holds a lone UTF-16 surrogate (not well-formed Unicode)`);
    }
  }
  // An empty kid names nothing: a token could never select it, and a second one would collide with it.
  if (jwk.kid === '') throw new SignetError('ERR_KEY_FORMAT', "JWK member 'kid' is empty: leave it out (Signet then uses the RFC 7638 thumbprint) or name the key");
  if (typeof jwk.kid === 'string') meta.kid = jwk.kid;
  if (typeof jwk.alg === 'string') meta.alg = jwk.alg;
  // RFC 7517 §4.2 allows other `use` values; Signet only acts on the two registered ones.
  if (jwk.use === 'sig' || jwk.use === 'enc') meta.use = jwk.use;
  return meta;
}

/** RFC 7517 §4.3: an array of operation names. */
function readKeyOps(jwk: JsonObject): string[] | undefined {
  const keyOps: unknown = jwk.key_ops;
  if (keyOps === undefined) return undefined;
  if (!Array.isArray(keyOps) || keyOps.some((operation) => typeof operation !== 'string')) throw new SignetError('ERR_KEY_FORMAT', "JWK member 'key_ops' must be an array of strings");
  return keyOps.map(String);
}

function requireString(jwk: JsonObject, member: string): void {
  const value = jwk[member];
  if (value === undefined) throw new SignetError('ERR_KEY_FORMAT', `JWK is missing '${member}'`);
  if (typeof value !== 'string' || (member !== 'crv' && !BASE64URL.test(value))) {
    throw new SignetError('ERR_KEY_FORMAT', `JWK member '${member}' must be a base64url string`);
  }
}

function decodeMember(jwk: JsonObject, member: string): Buffer {
  requireString(jwk, member);
  return Buffer.from(String(jwk[member]), 'base64url');
}

/** A value from the file, shortened: error messages must stay readable whatever the input holds. */
function quoted(value: unknown): string {
  const text = String(value);
  return `'${text.length > 24 ? `${text.slice(0, 24)}…` : text}'`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
