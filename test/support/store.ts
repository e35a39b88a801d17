import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initKeystore } from '../../main/services/keystore.ts';
import { Session, type Clock } from '../../main/services/session.ts';
import type { KdfParams } from '../../main/store/vault.ts';

/** Cheap scrypt for tests only: the parameters are stored with the wrap, so unlock stays correct. */
export const TEST_KDF: KdfParams = { N: 2 ** 12, r: 8, p: 1 };
export const TEST_PASSPHRASE = 'correct horse battery staple';

export interface TempStore {
  dir: string;
  path: string;
  session: Session;
  cleanup(): void;
}

/** A real SQLite keystore in a fresh temp folder, initialised and unlocked. */
export async function tempStore(options: { clock?: Clock; passphrase?: string } = {}): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-test-'));
  const path = join(dir, 'keystore.db');
  const session = Session.open(path, { create: true, ...(options.clock && { clock: options.clock }) });
  await initKeystore(session, options.passphrase ?? TEST_PASSPHRASE, TEST_KDF);
  return {
    dir,
    path,
    session,
    cleanup() {
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests move by hand: time is injected, never slept on. */
export function manualClock(start: string): Clock & { set(iso: string): void; advanceDays(days: number): void } {
  let now = new Date(start);
  const clock = (() => new Date(now.getTime())) as Clock & { set(iso: string): void; advanceDays(days: number): void };
  clock.set = (iso) => (now = new Date(iso));
  clock.advanceDays = (days) => (now = new Date(now.getTime() + days * 86_400_000));
  return clock;
}
