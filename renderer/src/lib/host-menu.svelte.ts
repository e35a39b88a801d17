import { bridge } from './api.ts';
import { navigation } from './navigation.svelte.ts';

/**
 * The desktop app's menu (File › Open capture…, Import key…) hands over a file path. The path is kept
 * here until the view that handles it takes it, so a choice made while another view shows, or while
 * the keystore is locked, is not lost. Browser mode has no such menu.
 */
export class HostMenu {
  /** Captures to open, in the order given: the OS may hand over several at once (a multi-file open). */
  capturePaths = $state<string[]>([]);
  keyPath = $state<string | null>(null);
  #subscribed = false;

  subscribe(): void {
    if (this.#subscribed || !bridge) return;
    this.#subscribed = true;
    bridge.onMenu('menu:open-capture', (path) => {
      this.capturePaths.push(path);
      navigation.go('captures');
    });
    bridge.onMenu('menu:import-key', (path) => {
      this.keyPath = path;
      navigation.go('keys');
    });
  }

  takeCapturePath(): string | null {
    return this.capturePaths.shift() ?? null;
  }

  takeKeyPath(): string | null {
    const path = this.keyPath;
    this.keyPath = null;
    return path;
  }
}

export const hostMenu = new HostMenu();

/** The file name at the end of a path (either separator: the desktop app may run on Windows). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
