// Bundles the CLI (and everything it runs: api, services, core, store) into out/cli/signet.mjs.
// Native and binary-carrying packages stay external and are loaded from node_modules.
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCli() {
  const { build } = await import('esbuild');
  const outfile = join(root, 'out', 'cli', 'signet.mjs');
  const temporary = `${outfile}.${process.pid}.tmp.mjs`;
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, 'main', 'adapters', 'cli', 'main.ts')],
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
    external: ['better-sqlite3', 'electron', 'esbuild'],
    // Bundled CommonJS packages call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __signetCreateRequire } from 'node:module'; const require = __signetCreateRequire(import.meta.url);" },
  });
  // Renamed into place so a concurrent run never loads half a file.
  renameSync(temporary, outfile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
