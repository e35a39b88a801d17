import { call } from './api.ts';

// The console's own preferences, kept in the keystore's settings (`console` group) so that every
// console opening the keystore (desktop or browser) locks after the same idle time.

export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 30, 60, 240] as const;
const DEFAULT_AUTO_LOCK_MINUTES = 15;

/** "15 min", "4 h": how long the console may stay idle. */
export function idleTime(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${minutes / 60} h`;
}

export class Preferences {
  /** Minutes without input before the keystore locks itself; 0 turns it off. */
  autoLockMinutes = $state(DEFAULT_AUTO_LOCK_MINUTES);

  async load(): Promise<void> {
    try {
      this.autoLockMinutes = (await call('settings.get', {})).console.autoLockMinutes;
    } catch {
      // Unreadable settings keep the default: the console still locks after a while.
    }
  }

  async setAutoLock(minutes: number): Promise<void> {
    this.autoLockMinutes = (await call('settings.update', { console: { autoLockMinutes: minutes } })).console.autoLockMinutes;
  }
}

export const preferences = new Preferences();
