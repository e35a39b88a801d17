#!/usr/bin/env node
// `npm start`: the desktop app where an Electron binary is installed, otherwise browser mode — saying
// why — so that a machine that could not download Electron still gets a working console.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron'); // the package exports the binary's path, or throws when it is missing
    return typeof path === 'string' && existsSync(path) ? { path } : { reason: `its binary is missing (${path})` };
  } catch (error) {
    return { reason: error?.code === 'MODULE_NOT_FOUND' ? 'the electron package is not installed (its binary could not be downloaded at install time)' : 'the electron package is installed but its binary is not' };
  }
}

/**
 * better-sqlite3 is a native addon: Electron needs it compiled against Electron's ABI, while the CLI
 * and tests need Node's. Build a separate copy for Electron once, leaving node_modules untouched.
 */
function electronSqliteBinding() {
  const version = require('electron/package.json').version;
  const dir = join(root, 'node_modules', '.signet-electron', `better-sqlite3-${version}`);
  const binding = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return { binding };
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(join(root, 'node_modules', 'better-sqlite3'), dir, { recursive: true, filter: (source) => !source.includes(`${join('better-sqlite3', 'build')}`) });
  console.log(`Building better-sqlite3 for Electron ${version} (once)…`);
  const gyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const result = spawnSync(process.execPath, [existsSync(gyp) ? gyp : require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], { cwd: dir, stdio: 'inherit' });
  return result.status === 0 && existsSync(binding) ? { binding } : { reason: 'better-sqlite3 could not be built for Electron (are Electron headers reachable?)' };
}

function browserMode(reason) {
  console.log(`Electron is not available: ${reason}.\nStarting Signet in browser mode instead.\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'signet.mjs'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

const electron = electronBinary();
if (!electron.path || process.env.SIGNET_BROWSER_MODE === '1') {
  browserMode(electron.reason ?? 'SIGNET_BROWSER_MODE=1 asks for browser mode');
} else {
  const native = electronSqliteBinding();
  if (!native.binding) browserMode(native.reason);
  else {
    const child = spawn(electron.path, [root], { stdio: 'inherit', env: { ...process.env, SIGNET_SQLITE_BINDING: native.binding } });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
