import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { toPem } from './pem.ts';
import type { KeyUse } from './types.ts';

export type PublicFormat = 'pem' | 'der' | 'jwk';

/** JWK parameters written next to the key material (RFC 7517 §4.2–4.5). */
export interface JwkMeta {
  kid: string;
  alg?: string;
  use?: KeyUse;
}

/** SPKI PEM or DER, or a public JWK. PEM and JWK come back as UTF-8 text bytes. */
export function exportPublicKey(publicKey: KeyObject, format: PublicFormat, meta: JwkMeta): Buffer {
  // Accepting a private KeyObject here is convenient, and reducing it first means this can never leak one.
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : requireAsymmetric(publicKey);
  switch (format) {
    case 'pem':
      return Buffer.from(key.export({ format: 'pem', type: 'spki' }).toString(), 'utf8');
    case 'der':
      return key.export({ format: 'der', type: 'spki' });
    case 'jwk':
      return json(jwkOf(key, meta));
  }
}

/** A JWK Set (RFC 7517 §5) of public keys. */
export function exportJwks(entries: Array<{ publicKey: KeyObject } & JwkMeta>): Buffer {
  const keys = entries.map(({ publicKey, ...meta }) => jwkOf(publicKey.type === 'private' ? createPublicKey(publicKey) : requireAsymmetric(publicKey), meta));
  return json({ keys });
}

/** PKCS#8 PEM or DER (unencrypted: the caller writes it only where the user asked), or a private JWK. */
export function exportPrivateKey(privateKey: KeyObject, format: PublicFormat, meta: JwkMeta): Buffer {
  if (privateKey.type !== 'private') throw new SignetError('ERR_KEY_NO_PRIVATE', 'this key has only its public half; there is no private key to export');
  switch (format) {
    case 'pem':
      return Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'utf8');
    case 'der':
      return privateKey.export({ format: 'der', type: 'pkcs8' });
    case 'jwk':
      return json(jwkOf(privateKey, meta));
  }
}

/** An `oct` JWK (RFC 7518 §6.4) holding an HMAC secret. */
export function exportSecretJwk(secret: Buffer, meta: JwkMeta): Buffer {
  if (secret.length === 0) throw new SignetError('ERR_BAD_INPUT', 'an empty secret cannot be exported');
  return json({ kty: 'oct', ...metaMembers(meta), k: secret.toString('base64url') });
}

/** One CERTIFICATE block per DER certificate, in the given order (leaf first for a chain). */
export function certificateToPem(ders: Buffer[]): Buffer {
  if (ders.length === 0) throw new SignetError('ERR_BAD_INPUT', 'no certificate to write');
  return Buffer.from(ders.map((der) => toPem('CERTIFICATE', der)).join(''), 'utf8');
}

function jwkOf(key: KeyObject, meta: JwkMeta): JsonWebKey {
  let material: JsonWebKey;
  try {
    material = key.export({ format: 'jwk' });
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', `no JWK form exists for key type ${key.asymmetricKeyType ?? key.type}`);
  }
  const { kty, ...members } = material;
  return { kty, ...metaMembers(meta), ...members };
}

function metaMembers(meta: JwkMeta): { kid: string; use?: KeyUse; alg?: string } {
  if (meta.kid === '') throw new SignetError('ERR_BAD_INPUT', 'a JWK needs a non-empty kid');
  return { kid: meta.kid, ...(meta.use && { use: meta.use }), ...(meta.alg && { alg: meta.alg }) };
}

function requireAsymmetric(key: KeyObject): KeyObject {
  if (key.type !== 'public') throw new SignetError('ERR_BAD_INPUT', 'expected an asymmetric public key');
  return key;
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
