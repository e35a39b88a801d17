#!/usr/bin/env node
// The CLI entry. A checkout needs no build step: the TypeScript sources are bundled into
// out/cli/signet.mjs on first use and again whenever a source file is newer than the bundle
// (esbuild takes well under a second); later runs load the bundle directly, which starts several
// times faster than compiling the sources on every run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'out', 'cli', 'signet.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`signet ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const sources = join(root, 'main');
  const stale = existsSync(sources) && (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(sources));
  if (stale) {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli();
  }
  const { main } = await import(pathToFileURL(bundle).href);
  process.exitCode = await main(args);
}
