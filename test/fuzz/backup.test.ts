import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHeader } from '../../main/core/backup/format.ts';
import { backupKeystore, restoreKeystore } from '../../main/services/backup.ts';
import { generateKey, importSecret } from '../../main/services/keys.ts';
import { Session } from '../../main/services/session.ts';
import { TEST_PASSPHRASE, tempStore, type TempStore } from '../support/store.ts';
import { budget, MARKER, mutated, outcome } from './support.ts';

// A backup file may come from anywhere (a share, a USB stick, an attacker): restore must refuse any
// change to it with a typed error and leave the store it was asked to replace exactly as it was.

const RESTORE_CODES = new Set(['ERR_BACKUP_CORRUPT', 'ERR_BAD_PASSPHRASE', 'ERR_STORE_TOO_NEW']);

let source: TempStore;
let seed: Buffer;
let target: Session;
let mutatedPath: string;

beforeAll(async () => {
  source = await tempStore();
  await generateKey(source.session, { type: 'ec', name: 'fuzzed' });
  await importSecret(source.session, { appId: 'FUZZ', secret: Buffer.from(MARKER) });
  const path = join(source.dir, 'seed.backup');
  // Small segments: the sealed snapshot spans dozens of them, so mutations can drop, repeat and reorder segments.
  await backupKeystore(source.session, { path, passphrase: TEST_PASSPHRASE, segmentBytes: 16 * 1024 });
  seed = readFileSync(path);
  target = Session.open(join(source.dir, 'target.db'), { create: true });
  mutatedPath = join(source.dir, 'mutated.backup');
}, 60_000);
afterAll(() => {
  target.close();
  source.cleanup();
});

describe('backup files under mutation', () => {
  it('has many segments to mutate (control)', () => {
    expect(parseHeader(seed, seed.length).header.plaintextBytes / (16 * 1024)).toBeGreaterThan(8);
  });

  it('reads or refuses any mutated header with ERR_BACKUP_CORRUPT, before any key derivation', async () => {
    await fc.assert(
      fc.asyncProperty(mutated([seed.subarray(0, 1024)], 6), async (prefix) => {
        const result = await outcome(() => parseHeader(prefix, prefix.length + seed.length - 1024));
        if (!result.ok) expect(result.error.code).toBe('ERR_BACKUP_CORRUPT');
      }),
      budget(3000),
    );
  });

  it('refuses any mutated backup with a typed error and leaves the target store untouched', async () => {
    await fc.assert(
      fc.asyncProperty(mutated([seed], 4), async (bytes) => {
        writeFileSync(mutatedPath, bytes);
        const result = await outcome(() => restoreKeystore(target, { path: mutatedPath, passphrase: TEST_PASSPHRASE }), [MARKER, TEST_PASSPHRASE]);
        if (result.ok) {
          // Only a mutation that changed nothing can restore (e.g. a byte set to its own value).
          expect(bytes.equals(seed)).toBe(true);
          target.close();
          rmSync(target.path, { force: true });
          target = Session.open(target.path, { create: true });
          return;
        }
        expect(RESTORE_CODES.has(result.error.code)).toBe(true);
        expect(target.initialized).toBe(false);
        expect(target.keys.count()).toBe(0);
      }),
      budget(150, { budgetMs: 8000 }),
    );
    rmSync(mutatedPath, { force: true });
  });
});
