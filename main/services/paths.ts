import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder Electron's `app.getPath('userData')` uses for an app named "Signet", per platform. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Signet');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Signet');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Signet');
}

/** `--store PATH`, else `SIGNET_STORE`, else the keystore in the user-data folder. */
export function resolveStorePath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.SIGNET_STORE ?? join(userDataDir(env), 'keystore.db');
}
