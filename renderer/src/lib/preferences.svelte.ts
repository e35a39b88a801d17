// Preferences of this console (not of the keystore): kept in the browser's local storage. The
// auto-lock delay lives here because the settings schema has no field for it yet.

const STORAGE_KEY = 'signet.preferences';
export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 30, 60, 240] as const;
const DEFAULT_AUTO_LOCK_MINUTES = 15;

interface Stored {
  autoLockMinutes?: unknown;
}

function readStored(): Stored {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Stored) : {};
  } catch {
    return {};
  }
}

export class Preferences {
  /** Minutes without input before the keystore locks itself; 0 turns it off. */
  autoLockMinutes = $state(DEFAULT_AUTO_LOCK_MINUTES);

  constructor() {
    const stored = readStored().autoLockMinutes;
    if (typeof stored === 'number' && Number.isInteger(stored) && stored >= 0 && stored <= 1440) this.autoLockMinutes = stored;
  }

  setAutoLock(minutes: number): void {
    this.autoLockMinutes = minutes;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ autoLockMinutes: minutes }));
    } catch {
      // Storage may be disabled; the choice still holds for this session.
    }
  }
}

export const preferences = new Preferences();
