import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a process of this machine is still running: signal 0 checks without signalling. EPERM means
 * it runs as another user. A reused pid reads as alive, which only delays a clean-up.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * What runs that were killed left in `dir`: the entries whose name (`pattern`, the pid in its first
 * group) belongs to a process no longer running. Nothing when the folder cannot be read.
 */
export function leftByDeadProcesses(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      const pid = pattern.exec(name)?.[1];
      return pid !== undefined && Number(pid) !== process.pid && !processAlive(Number(pid));
    })
    .map((name) => join(dir, name));
}
