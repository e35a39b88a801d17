// Bundles the CLI (and everything it runs: api, services, core, store) for Node. Two entries: the CLI
// itself and the inspection worker thread. Code splitting puts each service behind a dynamic import,
// so a command loads only what it runs (`signet keys list` never parses the capture or mail code).
// Native and binary-carrying packages stay external and are loaded from node_modules.
//
// Each build goes to a folder of its own, out/cli/build-*/, and out/cli/signet.mjs — a one-line
// re-export, replaced by a rename — points at the newest. A concurrent run therefore never loads half
// a build, and a process started on an older build keeps finding that build's chunks.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'out', 'cli');
/**
 * Older builds are removed after a day (a running `signet serve` may still import chunks of its own
 * build), or after ten minutes once there are more than ten of them (sources edited all day).
 */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;
const KEEP_RECENT_BUILDS = 10;
const KEEP_RECENT_MS = 10 * 60 * 1000;

export async function buildCli() {
  const { build } = await import('esbuild');
  const name = `build-${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(outRoot, name);
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: {
      signet: join(root, 'main', 'adapters', 'cli', 'main.ts'),
      'inspection-worker': join(root, 'main', 'services', 'inspection-worker.ts'),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A separate map file: an inline one tripled the file Node reads and parses at every start.
    sourcemap: 'linked',
    logLevel: 'error',
    external: ['better-sqlite3', 'electron', 'esbuild'],
    // Bundled CommonJS packages call require(); give every ESM output file one.
    banner: { js: "import { createRequire as __signetCreateRequire } from 'node:module'; const require = __signetCreateRequire(import.meta.url);" },
  });
  const pointer = join(outRoot, 'signet.mjs');
  const temporary = `${pointer}.${process.pid}.tmp.mjs`;
  writeFileSync(temporary, `export * from './${name}/signet.mjs';\n`);
  renameSync(temporary, pointer);
  removeOldBuilds(name);
}

function removeOldBuilds(current) {
  const now = Date.now();
  const builds = readdirSync(outRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('build-') && entry.name !== current)
    .map((entry) => ({ path: join(outRoot, entry.name), age: now - statSync(join(outRoot, entry.name)).mtimeMs }))
    .sort((a, b) => a.age - b.age);
  builds.forEach(({ path, age }, newest) => {
    if (age > KEEP_OLD_BUILDS_MS || (newest >= KEEP_RECENT_BUILDS && age > KEEP_RECENT_MS)) rmSync(path, { recursive: true, force: true });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
