import { untrack } from 'svelte';
import type { KeystoreStatusView } from '../../../main/services/views.ts';
import { call, messageOf, onLockedAnswer } from './api.ts';

/**
 * Whether the keystore exists and is unlocked: the one fact that decides between the lock screen and
 * the console. Forms call `init`/`unlock` and show what they throw where the user typed.
 */
export class KeystoreState {
  status = $state<KeystoreStatusView | null>(null);
  /** Set when even the status cannot be read (the server stopped, the file is unreadable). */
  loadError = $state('');
  /** Said once on the lock screen: why it came up (idle, a restore). The next unlock clears it. */
  notice = $state('');

  constructor() {
    // Any answer that the keystore is locked re-reads the status, which brings up the lock screen.
    onLockedAnswer(() => void this.refresh());
  }

  get unlocked(): boolean {
    return this.status?.unlocked === true;
  }

  async refresh(): Promise<void> {
    try {
      this.status = await call('keystore.status', {});
      this.loadError = '';
    } catch (error) {
      this.loadError = messageOf(error);
    }
  }

  async init(passphrase: string): Promise<void> {
    this.status = await call('keystore.init', { passphrase });
    this.notice = '';
  }

  async unlock(passphrase: string): Promise<void> {
    this.status = await call('keystore.unlock', { passphrase });
    this.notice = '';
  }

  /** Locks now; `notice` tells the lock screen why, when the user did not ask for it. */
  async lock(notice = ''): Promise<void> {
    this.notice = notice;
    try {
      this.status = await call('keystore.lock', {});
    } catch {
      // Locking must never leave the console open: fall back to what the server says now.
      await this.refresh();
    }
  }

  /**
   * Runs `forget` each time the keystore is found locked: state a module keeps across views (an open
   * capture, a pasted token) must not outlive the lock.
   */
  onLock(forget: () => void): void {
    $effect.root(() => {
      $effect(() => {
        if (this.status !== null && !this.status.unlocked) untrack(forget);
      });
    });
  }
}

export const keystore = new KeystoreState();
