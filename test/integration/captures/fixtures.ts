import { randomBytes } from 'node:crypto';
import { encryptCompact } from '../../../main/core/jose/encrypt.ts';
import { signCompact } from '../../../main/core/jose/sign.ts';
import { signOpg } from '../../../main/core/opg/hmac.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { privateKeyOf, publicKeyOf, resolveKey, secretOf } from '../../../main/services/key-records.ts';
import type { Session } from '../../../main/services/session.ts';
import type { KeyView } from '../../../main/services/views.ts';

/** Keys made in the test, and helpers that sign and encrypt with them as a partner would. */
export async function merchantKeys(session: Session) {
  const rsa = await generateKey(session, { type: 'rsa', name: 'merchant signing', owner: 'acme' });
  const ec = await generateKey(session, { type: 'ec', curve: 'P-256', name: 'callback signer', owner: 'klix' });
  const hmac = await generateKey(session, { type: 'hmac', appId: 'OPG-APP-1', name: 'OnePoint app' });
  const enc = await generateKey(session, { type: 'rsa', use: 'enc', name: 'response decryption' });
  return { rsa, ec, hmac, enc };
}

export async function sign(session: Session, key: KeyView, payload: string, options: { detached?: boolean; b64?: boolean; alg?: string; kid?: string } = {}): Promise<string> {
  const record = resolveKey(session, key.id);
  return signCompact({
    key: { type: record.type, ...(record.curve && { curve: record.curve }) },
    ...(record.type === 'hmac' ? { secret: secretOf(session, record) } : { privateKey: privateKeyOf(session, record) }),
    payload: Buffer.from(payload),
    kid: options.kid ?? record.kid,
    ...(options.alg && { alg: options.alg }),
    ...(options.detached && { detached: true }),
    ...(options.b64 === false && { b64: false }),
  });
}

export async function encryptTo(session: Session, key: KeyView, plaintext: string): Promise<string> {
  const record = resolveKey(session, key.id);
  return encryptCompact({ publicKey: publicKeyOf(record), keyType: record.type, plaintext: Buffer.from(plaintext), kid: record.kid });
}

export function opgHeader(session: Session, key: KeyView, request: { method: string; uri: string; body?: string; timestamp: number; nonce?: string }): string {
  const record = resolveKey(session, key.id);
  return signOpg({
    profile: 'opg-sha256',
    appId: record.appId ?? '',
    secret: secretOf(session, record),
    method: request.method,
    uri: request.uri,
    ...(request.body !== undefined && { body: Buffer.from(request.body) }),
    timestamp: request.timestamp,
    nonce: request.nonce ?? randomBytes(8).toString('hex'),
  }).header;
}

/** A JWT's claims as a JSON string. */
export function claims(values: Record<string, unknown>): string {
  return JSON.stringify(values);
}

export const unix = (iso: string): number => Math.floor(new Date(iso).getTime() / 1000);
