#!/usr/bin/env node
// Type-checks every side: Node (main, tests), the Electron host and preload, and the Svelte renderer.
// Electron's types ship inside the electron package, which npm drops where its binary cannot be
// downloaded; the host is then skipped, saying so (CI installs the package without the binary).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (label, command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`typecheck failed: ${label}`);
    process.exit(result.status ?? 1);
  }
};
const bin = (name) => require.resolve(name);

run('node', process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.node.json', '--noEmit']);
let electronTypes = false;
try {
  require.resolve('electron/electron.d.ts');
  electronTypes = true;
} catch {
  console.log('typecheck: Electron host skipped (the electron package is not installed on this machine)');
}
if (electronTypes) run('electron', process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.electron.json', '--noEmit']);
run('renderer', process.execPath, [bin('svelte-check/bin/svelte-check'), '--tsconfig', './tsconfig.web.json', '--threshold', 'error', '--output', 'human']);
