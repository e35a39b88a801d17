import { SignetError } from '../core/errors.ts';
import { SCHEMA_VERSION } from '../store/db.ts';
import { DEFAULT_KDF, newMasterKey, saveWrappedKey, unlockVault, wrapMasterKey, type KdfParams } from '../store/vault.ts';
import type { Session } from './session.ts';
import type { KeystoreStatusView } from './views.ts';

export type KeystoreStatus = KeystoreStatusView;

export function keystoreStatus(session: Session): KeystoreStatus {
  return {
    path: session.path,
    initialized: session.initialized,
    unlocked: session.unlocked,
    schemaVersion: SCHEMA_VERSION,
    keyCount: session.keys.count(),
  };
}

/** Creates the master key and wraps it under the passphrase; the keystore is left unlocked. */
export async function initKeystore(session: Session, passphrase: string, kdf: KdfParams = DEFAULT_KDF): Promise<KeystoreStatus> {
  if (session.initialized) throw new SignetError('ERR_STORE_EXISTS', `a keystore already exists at ${session.path}`);
  const master = newMasterKey();
  const wrapped = await wrapMasterKey(master, passphrase, kdf);
  session.transaction(() => {
    if (session.initialized) throw new SignetError('ERR_STORE_EXISTS', `a keystore already exists at ${session.path}`);
    saveWrappedKey(session.db, wrapped);
    session.audit.append('keystore.init', null, { kdf: 'scrypt', ...kdf }, session.clock());
  });
  session.setMaster(master);
  return keystoreStatus(session);
}

export async function unlockKeystore(session: Session, passphrase: string): Promise<KeystoreStatus> {
  session.setMaster(await unlockVault(session.db, passphrase));
  return keystoreStatus(session);
}

export function lockKeystore(session: Session): KeystoreStatus {
  session.lock();
  return keystoreStatus(session);
}

/**
 * Re-wraps the master key under a new passphrase. The current passphrase is checked first, even when
 * the store is unlocked, so an unattended unlocked console cannot be taken over.
 */
export async function changePassphrase(session: Session, current: string, next: string, kdf: KdfParams = DEFAULT_KDF): Promise<KeystoreStatus> {
  const master = await unlockVault(session.db, current);
  const wrapped = await wrapMasterKey(master, next, kdf);
  session.transaction(() => {
    saveWrappedKey(session.db, wrapped);
    session.audit.append('keystore.passphrase-changed', null, { kdf: 'scrypt', ...kdf }, session.clock());
  });
  session.setMaster(master);
  return keystoreStatus(session);
}
