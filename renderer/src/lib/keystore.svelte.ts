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
    onLockedAnswer(() => void this.refresh('The keystore was locked elsewhere (another window, or its host): the change you asked for was not made. Unlock it to go on.'));
  }

  get unlocked(): boolean {
    return this.status?.unlocked === true;
  }

  /** Reads the status again; `lockedNotice` tells the lock screen why, when this finds the keystore locked meanwhile. */
  async refresh(lockedNotice = 'The keystore was locked elsewhere (another window, or its host). Unlock it to go on.'): Promise<void> {
    const wasUnlocked = this.unlocked;
    try {
      this.status = await call('keystore.status', {});
      if (wasUnlocked && !this.status.unlocked && !this.notice) this.notice = lockedNotice;
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
