import { SignetError } from '../core/errors.ts';
import type { Session } from './session.ts';
import { readSettings, type Settings } from './settings.ts';

/**
 * The size and count limits of outside input, read from settings (`limits`). Checked before the work
 * they bound, so an oversized input costs a comparison, not the memory or time it would take.
 */
export type LimitName = keyof Settings['limits'];

const UNITS: Record<LimitName, 'bytes' | 'characters' | 'keys'> = {
  captureEntryBytes: 'bytes',
  headerBytes: 'bytes',
  tokenChars: 'characters',
  keyFileBytes: 'bytes',
  keysPerFile: 'keys',
};

function amount(value: number, unit: 'bytes' | 'characters' | 'keys'): string {
  if (unit !== 'bytes') return `${value} ${unit}`;
  if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${value} bytes`;
}

export function readLimits(session: Session): Settings['limits'] {
  return readSettings(session).limits;
}

/** ERR_TOO_LARGE, naming the setting to raise, when `size` is over the limit `name`. */
export function checkLimit(session: Session, name: LimitName, size: number, what: string): void {
  const limit = readLimits(session)[name];
  if (size <= limit) return;
  const unit = UNITS[name];
  throw new SignetError('ERR_TOO_LARGE', `${what} has ${amount(size, unit)}; the limit is ${amount(limit, unit)} (setting limits.${name}; nothing was changed)`);
}
