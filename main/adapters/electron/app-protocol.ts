import { resolve, sep } from 'node:path';

/**
 * The renderer's origin in the desktop app: a scheme of its own instead of file:// (Electron security
 * checklist #18), so the page has a standard, secure origin that nothing else shares, and file:// can
 * lose its extra privileges (the grantFileProtocolExtraPrivileges fuse is off).
 */
export const APP_SCHEME = 'signet';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

/**
 * The file of the built renderer a request asks for, or undefined: another scheme or host, a path that
 * is not a file name (a folder, a malformed escape), or one that would leave `root` (`..`, encoded or not).
 */
export function rendererFile(url: string, root: string): string | undefined {
  let parsed: URL;
  let path: string;
  try {
    parsed = new URL(url);
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (`${parsed.protocol}//${parsed.host}` !== APP_ORIGIN || path.endsWith('/') || path.includes('\0')) return undefined;
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  return file.startsWith(base + sep) ? file : undefined;
}
