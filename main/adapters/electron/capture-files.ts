import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';

/** What File › Open capture… offers and what the app takes from the OS: HAR, and raw HTTP saved as .http or .txt. */
export const CAPTURE_EXTENSIONS = ['har', 'http', 'txt'];

/** An existing file (not a folder) with a capture's extension; the import then sniffs its format. */
export function isCaptureFile(path: string): boolean {
  if (!CAPTURE_EXTENSIONS.includes(extname(path).slice(1).toLowerCase())) return false;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The captures named among command-line arguments (how Windows and Linux hand over a double-clicked
 * .har). Flags, and anything else (a switch Chromium added, the app's folder), are skipped; a relative
 * path is resolved against the working directory of the process that was given it.
 */
export function capturePathsIn(args: readonly string[], workingDirectory: string): string[] {
  return args.filter((arg) => !arg.startsWith('-')).map((arg) => resolve(workingDirectory, arg)).filter(isCaptureFile);
}
