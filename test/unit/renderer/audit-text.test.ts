import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionLabel, detailPairs } from '../../../renderer/src/lib/audit-text.ts';

/** Every action the services write into the audit log, read from their sources. */
function auditedActions(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...auditedActions(path));
    else if (entry.name.endsWith('.ts')) for (const match of readFileSync(path, 'utf8').matchAll(/audit\.append\(\s*'([a-z.-]+)'/g)) found.push(match[1] ?? '');
  }
  return found;
}

describe('audit log labels', () => {
  it('has words for every action the services record', () => {
    const actions = [...new Set(auditedActions(join(import.meta.dirname, '../../../main')))].sort();
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((action) => actionLabel(action) === action)).toEqual([]);
  });
});

describe('audit row details', () => {
  it('reads a nested record as its own pairs, not as JSON', () => {
    expect(detailPairs({ chain: 0, replaced: { subject: 'CN=client', issuer: 'CN=Test CA', serial: '0a1b' } })).toEqual([
      { name: 'chain', value: '0' },
      { name: 'replaced', value: 'subject CN=client, issuer CN=Test CA, serial 0a1b' },
    ]);
  });
});
