#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --markdown] [-- --keep]`: runs bench/index.ts from the TypeScript
// sources (through tsx, a development dependency), as the benchmark measures the services in process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'index.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
