import type { KeyView } from '../../../main/services/views.ts';
import { call, messageOf } from './api.ts';

/**
 * Every key and trust-store entry, shared by the keys table, the timeline and the audit filter.
 * Replaced as a whole after each change (`$state.raw`): views derive from it, nobody mutates it.
 */
export class KeyList {
  keys = $state.raw<KeyView[]>([]);
  loaded = $state(false);
  error = $state('');
  /** Bumped after every change so that open details reload. */
  revision = $state(0);

  async refresh(): Promise<void> {
    try {
      this.keys = await call('keys.list', {});
      this.error = '';
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.loaded = true;
      this.revision++;
    }
  }

  /** Forgets the list when the keystore locks, so nothing of it lingers behind the lock screen. */
  reset(): void {
    this.keys = [];
    this.loaded = false;
    this.error = '';
  }

  byId(keyId: string): KeyView | undefined {
    return this.keys.find((key) => key.id === keyId);
  }

  get owners(): string[] {
    return distinct(this.keys.map((key) => key.owner));
  }

  get environments(): string[] {
    return distinct(this.keys.map((key) => key.environment));
  }
}

function distinct(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))].sort((a, b) => a.localeCompare(b));
}

export const keyList = new KeyList();
