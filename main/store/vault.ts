import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { SignetError } from '../core/errors.ts';
import type { Db } from './db.ts';

/**
 * The vault: a random 256-bit master key seals every private key and secret with AES-256-GCM, the
 * row's id as additional data so a sealed blob cannot be moved to another row. The master key is
 * itself wrapped under a key derived from the passphrase with scrypt; the parameters live with the
 * wrap so they can be raised later without breaking old stores.
 */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's recommendation for scrypt (2^17, 8, 1): about 128 MiB and a few hundred ms per unlock. */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

export interface WrappedMasterKey {
  version: 1;
  kdf: 'scrypt';
  params: KdfParams;
  salt: string;
  iv: string;
  tag: string;
  wrapped: string;
}

const WRAP_AAD = Buffer.from('signet:master-key:v1');
const SEAL_VERSION = 1;

export class MasterKey {
  #bytes: Buffer | undefined;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get bytes(): Buffer {
    if (!this.#bytes) throw new SignetError('ERR_LOCKED', 'the keystore is locked');
    return this.#bytes;
  }

  /** Overwrites the key in memory; the object is useless afterwards. */
  destroy(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }
}

function deriveKek(passphrase: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 32 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

async function wrap(master: Buffer, passphrase: string, params: KdfParams): Promise<WrappedMasterKey> {
  const salt = randomBytes(16);
  const kek = await deriveKek(passphrase, salt, params);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(WRAP_AAD);
  const wrapped = Buffer.concat([cipher.update(master), cipher.final()]);
  kek.fill(0);
  return {
    version: 1,
    kdf: 'scrypt',
    params,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    wrapped: wrapped.toString('base64'),
  };
}

function readWrap(db: Db): WrappedMasterKey | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE name = 'vault'").get() as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as WrappedMasterKey) : undefined;
}

/**
 * Reads the stored wrap as text, to tell whether it changed since the key was unlocked: the same wrap
 * holds the same master key; a new one may not (another process restored another keystore's backup).
 */
export function wrapWatcher(db: Db): () => string | undefined {
  const read = db.prepare("SELECT value FROM meta WHERE name = 'vault'").pluck();
  return () => read.get() as string | undefined;
}

export function vaultExists(db: Db): boolean {
  return readWrap(db) !== undefined;
}

export function newMasterKey(): MasterKey {
  return new MasterKey(randomBytes(32));
}

/** Wraps the master key under a passphrase (slow: scrypt). Store the result with `saveWrappedKey`. */
export async function wrapMasterKey(master: MasterKey, passphrase: string, params: KdfParams = DEFAULT_KDF): Promise<WrappedMasterKey> {
  if (passphrase.length < 8) throw new SignetError('ERR_BAD_INPUT', 'a passphrase needs at least 8 characters');
  return wrap(master.bytes, passphrase, params);
}

/**
 * Writes the wrapped master key (first time, or replacing the old wrap on a passphrase change).
 * Synchronous, so callers can put it in one transaction with its audit row.
 */
export function saveWrappedKey(db: Db, wrapped: WrappedMasterKey): void {
  db.prepare("INSERT INTO meta (name, value) VALUES ('vault', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(JSON.stringify(wrapped));
}

export async function unlockVault(db: Db, passphrase: string): Promise<MasterKey> {
  const stored = readWrap(db);
  if (!stored) throw new SignetError('ERR_STORE_NOT_INITIALIZED', 'this keystore has no passphrase yet (run "signet init")');
  const kek = await deriveKek(passphrase, Buffer.from(stored.salt, 'base64'), stored.params);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(stored.iv, 'base64')).setAAD(WRAP_AAD);
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
    return new MasterKey(Buffer.concat([decipher.update(Buffer.from(stored.wrapped, 'base64')), decipher.final()]));
  } catch {
    throw new SignetError('ERR_BAD_PASSPHRASE', 'wrong passphrase (nothing was changed)');
  } finally {
    kek.fill(0);
  }
}

/** version(1) ‖ iv(12) ‖ tag(16) ‖ ciphertext, AES-256-GCM with `aad` bound in. */
export function seal(master: MasterKey, aad: string, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.bytes, iv).setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([SEAL_VERSION]), iv, cipher.getAuthTag(), body]);
}

export function unseal(master: MasterKey, aad: string, sealed: Uint8Array): Buffer {
  const blob = Buffer.from(sealed);
  if (blob.length < 29 || blob[0] !== SEAL_VERSION) {
    throw new SignetError('ERR_SEAL_TAMPERED', `the sealed secret of ${aad} is damaged`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.bytes, blob.subarray(1, 13)).setAAD(Buffer.from(aad));
    decipher.setAuthTag(blob.subarray(13, 29));
    return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]);
  } catch {
    throw new SignetError('ERR_SEAL_TAMPERED', `the sealed secret of ${aad} failed its integrity check (tampered or moved)`);
  }
}
