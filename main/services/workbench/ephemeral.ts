import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import { decodeToken } from '../../core/jose/decode.ts';
import { decryptCompact } from '../../core/jose/decrypt.ts';
import { EPHEMERAL_SESSION_ID } from '../../core/jose/encrypt.ts';
import { generateAsymmetric } from '../../core/keys/generate.ts';
import { exportPublicKey } from '../../core/keys/index.ts';
import { addDuration, lifetimeEnd, parseDuration } from '../../core/time.ts';
import type { EphemeralRecord } from '../../store/workbench.ts';
import { seal, unseal } from '../../store/vault.ts';
import { bodyView } from '../captures.ts';
import type { Session } from '../session.ts';
import { checkLimit } from '../limits.ts';
import type { BodyView, EphemeralView } from '../views.ts';

/**
 * Ephemeral-key sessions, the browser side of partner scheme 000: a key pair made for one response, the
 * public half sent with the request, the private half used once to decrypt the JWE that comes back and
 * then destroyed (overwritten, removed, audit-logged). A session past its TTL is destroyed unused.
 */

const MAX_TTL = parseDuration('24h');

function toView(record: EphemeralRecord): EphemeralView {
  const publicKey = createPublicKey({ key: record.publicDer, format: 'der', type: 'spki' });
  const meta = { kid: record.id, use: 'enc' as const };
  return {
    id: record.id,
    type: record.type,
    publicJwk: JSON.parse(exportPublicKey(publicKey, 'jwk', meta).toString('utf8')) as Record<string, unknown>,
    publicPem: exportPublicKey(publicKey, 'pem', meta).toString('utf8'),
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    destroyedAt: record.destroyedAt?.toISOString() ?? null,
    destroyedWhy: record.destroyedWhy,
  };
}

/** Destroys every session whose TTL has passed. Runs before each ephemeral operation. */
export function destroyExpiredSessions(session: Session): number {
  const now = session.clock();
  const overdue = session.ephemeral.overdue(now);
  if (overdue.length === 0) return 0;
  session.transaction(() => {
    for (const id of overdue) {
      session.ephemeral.destroy(id, 'expired', now);
      session.audit.append('ephemeral.destroyed', null, { sessionId: id, why: 'expired' }, now);
    }
  });
  return overdue.length;
}

export async function createEphemeral(session: Session, input: { type?: 'ec' | 'rsa'; ttl?: string }): Promise<EphemeralView> {
  destroyExpiredSessions(session);
  const now = session.clock();
  const expiresAt = lifetimeEnd(now, input.ttl ?? '15m', 'an ephemeral session');
  if (expiresAt.getTime() - now.getTime() > addDuration(now, MAX_TTL).getTime() - now.getTime()) {
    throw new SignetError('ERR_BAD_INPUT', 'an ephemeral session lives at most 24h: it is meant for one response');
  }
  const type = input.type ?? 'ec';
  const key = await generateAsymmetric(type === 'ec' ? { type: 'ec', curve: 'P-256' } : { type: 'rsa', bits: 2048 });
  const id = `e_${randomBytes(8).toString('hex')}`; // the form EPHEMERAL_SESSION_ID matches
  const pkcs8 = key.privateKey?.export({ format: 'der', type: 'pkcs8' });
  if (!pkcs8) throw new SignetError('ERR_INTERNAL', 'generated key without private half');
  const record: EphemeralRecord = {
    id,
    type,
    publicDer: key.publicKey.export({ format: 'der', type: 'spki' }),
    privateSealed: seal(session.master, id, pkcs8),
    createdAt: now,
    expiresAt,
    destroyedAt: null,
    destroyedWhy: null,
  };
  pkcs8.fill(0);
  session.transaction(() => {
    session.ephemeral.insert(record);
    session.audit.append('ephemeral.created', null, { sessionId: id, type, expiresAt: expiresAt.toISOString() }, now);
  });
  return toView(record);
}

/** The `kid` of a JWE that names another ephemeral session; undefined when it does not (or does not decode: decryption then says why). */
function otherSessionKid(token: string, id: string): string | undefined {
  let kid: unknown;
  try {
    kid = decodeToken(token).header.kid;
  } catch {
    return undefined;
  }
  return typeof kid === 'string' && EPHEMERAL_SESSION_ID.test(kid) && kid !== id ? kid : undefined;
}

/**
 * Decrypts the response meant for this session, then destroys its private key. The key is spent by
 * the cryptography only: a JWE refused on its header (alg or enc that do not fit, zip, crit, a kid
 * naming another session) was never tried, and the key stays for the real response.
 */
export async function decryptEphemeral(session: Session, input: { id: string; token: string }): Promise<{ header: Record<string, unknown>; plaintext: BodyView | null; session: EphemeralView }> {
  checkLimit(session, 'tokenChars', input.token.length, 'the token');
  destroyExpiredSessions(session);
  const record = session.ephemeral.get(input.id);
  if (!record) throw new SignetError('ERR_NOT_FOUND', `no ephemeral session "${input.id}"`);
  if (!record.privateSealed || record.destroyedAt) {
    // The record does not keep whether that decryption succeeded (the audit log does): say only that the key was used.
    const why = record.destroyedWhy === 'expired' ? 'its TTL passed' : record.destroyedWhy === 'used' ? 'its key was used by an earlier decryption' : 'it was deleted';
    throw new SignetError('ERR_SESSION_DESTROYED', `ephemeral session ${record.id} was destroyed at ${record.destroyedAt?.toISOString() ?? '?'} (${why}): its key is gone, so this cannot be decrypted`);
  }
  const otherKid = otherSessionKid(input.token, record.id);
  if (otherKid !== undefined) {
    throw new SignetError('ERR_KEY_UNSUITABLE', `this JWE names kid "${otherKid}", another ephemeral session: decrypt it there (session ${record.id} keeps its key)`);
  }
  const der = unseal(session.master, record.id, record.privateSealed);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  const now = session.clock();
  const destroy = (outcome: string) =>
    session.transaction(() => {
      session.ephemeral.destroy(record.id, 'used', now);
      session.audit.append('ephemeral.destroyed', null, { sessionId: record.id, why: 'used', outcome }, now);
    });
  let opened;
  try {
    opened = await decryptCompact(input.token, { privateKey, keyType: record.type });
  } catch (error) {
    // Only a failure of the cryptography itself (or an unexpected one) depends on the key: that spends
    // it, so the key cannot be probed with one ciphertext after another. Every other refusal is decided
    // by the token alone, whoever holds the key, and leaves the key for the real response.
    if (error instanceof SignetError && error.code !== 'ERR_DECRYPT_FAILED') {
      throw new SignetError(error.code, `${error.message} (nothing was decrypted: session ${record.id} keeps its key)`);
    }
    destroy('failed');
    if (!(error instanceof SignetError)) throw error;
    throw new SignetError('ERR_DECRYPT_FAILED', `decryption failed: the session key was used and destroyed, so session ${record.id} can decrypt nothing more; ask the sender to encrypt to a new session`);
  }
  destroy('decrypted');
  const destroyed = session.ephemeral.get(record.id) ?? record;
  return { header: opened.header, plaintext: bodyView(opened.plaintext, null), session: toView(destroyed) };
}

export function listEphemeral(session: Session): EphemeralView[] {
  destroyExpiredSessions(session);
  return session.ephemeral.list().map(toView);
}
