#!/usr/bin/env node
// Electronegativity (Doyensec's Electron misconfiguration scanner) over the Electron host, the preload
// bridge and the renderer, sources and (when built) bundles. Exits 1 on any HIGH finding; MEDIUM and
// below are printed for review (each is answered in docs/security.md). Offline: the check that fetches
// Electron's release list is skipped (this machine, and CI, reach only the package registries).
//
//   node scripts/electronegativity.mjs            # scan, print, fail on HIGH
//   node scripts/electronegativity.mjs --json     # the findings as JSON
//   node scripts/electronegativity.mjs --bundles  # also scan out/ (informational)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * What is scanned: the sources of the host, the preload and the renderer, staged into one folder,
 * because the global checks (navigation limits, permission handler, CSP) look for a defence anywhere
 * in the app: scanned apart, the preload alone "lacks" them all. The bundles (`--bundles`, after
 * `npm run build`) are informational only: the scanner's parser cannot read the modern syntax of
 * out/main/index.js, so its global checks there would report defences it could not see.
 */
export const APPS = {
  sources: ['main/adapters/electron', 'main/preload', 'renderer/index.html', 'renderer/src'],
  ...(process.argv.includes('--bundles') && { bundles: ['out/main', 'out/preload', 'out/renderer'] }),
};
const OFFLINE_EXCLUDED = ['AvailableSecurityFixesGlobalCheck'];
const FAIL_AT = 'HIGH';

function electronVersion() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = manifest.optionalDependencies?.electron ?? manifest.devDependencies?.electron ?? '40.0.0';
  return range.replace(/^[^\d]*/, '');
}

function stage(parts) {
  const present = parts.filter((part) => existsSync(join(root, part)));
  if (present.length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'signet-electronegativity-'));
  for (const part of present) cpSync(join(root, part), join(dir, part), { recursive: true });
  return dir;
}

/** Runs the scanner quietly over each app; returns the findings, each with a path relative to the checkout. */
export async function scan() {
  const run = require('@doyensec/electronegativity').default ?? require('@doyensec/electronegativity');
  const findings = [];
  const errors = [];
  // The scanner logs (translation download, banners) to the console: keep our output ours.
  const log = console.log;
  console.log = () => undefined;
  try {
    for (const [app, parts] of Object.entries(APPS)) {
      const dir = stage(parts);
      if (!dir) continue;
      try {
        const result = await run({ input: dir, excludeFromScan: OFFLINE_EXCLUDED, electronVersionOverride: electronVersion(), isRelative: false, parserPlugins: [] });
        const where = (file) => (file === 'N/A' ? `(${app})` : relative(dir, file));
        for (const issue of result.issues) {
          findings.push({
            app,
            id: issue.id,
            severity: issue.severity.name,
            confidence: issue.confidence.name,
            file: where(issue.file),
            line: issue.location?.line ?? 0,
            manualReview: Boolean(issue.manualReview),
            description: issue.description,
          });
        }
        // Files the scanner's parser cannot read (modern syntax in bundles) are reported, not failed on.
        errors.push(...result.errors.filter((error) => !error.tolerable).map((error) => `${where(error.file)}: ${error.message}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    console.log = log;
  }
  return { findings, errors };
}

export function failing(findings) {
  return findings.filter((finding) => finding.app === 'sources' && (finding.severity === FAIL_AT || finding.severity === 'CRITICAL'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { findings, errors } = await scan();
  const high = failing(findings);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ findings, errors, failing: high.length }, null, 2)}\n`);
  } else {
    for (const finding of findings) {
      process.stdout.write(`${finding.severity.padEnd(6)} ${finding.confidence.padEnd(9)} ${finding.id.padEnd(34)} ${finding.file}:${finding.line}${finding.manualReview ? ' (review)' : ''}\n`);
    }
    for (const error of errors) process.stdout.write(`could not parse ${error}\n`);
    process.stdout.write(`electronegativity: ${findings.length} findings, ${high.length} at ${FAIL_AT} severity\n`);
  }
  process.exitCode = high.length > 0 ? 1 : 0;
}
