import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SignetError } from '../../../core/errors.ts';
import { resolveStorePath } from '../../../services/paths.ts';
import type { BackupView } from '../../../services/backup.ts';
import { str, type CliContext, type Command } from '../command.ts';
import { counted } from '../format.ts';

function summary(view: BackupView): string {
  return `${counted(view.keys, 'key')}, ${counted(view.captures, 'capture')}, ${counted(view.auditRows, 'audit row')} (schema ${view.schemaVersion}, made ${view.createdAt})`;
}

export const backupCommands: Command[] = [
  {
    name: 'backup',
    summary: 'write the whole keystore to one file, sealed under its passphrase (online snapshot; the file is complete or absent)',
    usage: '--out FILE [--force] [--passphrase-file F]',
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    async run(ctx, values) {
      const path = str(values, 'out');
      if (!path) throw new SignetError('ERR_BAD_INPUT', '--out FILE is required');
      const passphrase = await ctx.currentPassphrase();
      const view = await ctx.call('keystore.backup', { path: resolve(path), passphrase, ...(values.force === true && { overwrite: true }) });
      if (ctx.json) ctx.printJson(view);
      else ctx.print(`Backup written to ${view.path} (${view.bytes} bytes): ${summary(view)}.`);
    },
  },
  {
    name: 'restore',
    summary: 'replace the keystore with a backup after checking it (a tampered backup or wrong passphrase changes nothing)',
    usage: 'FILE [--force] [--backup-passphrase-file F] [--passphrase-file CURRENT]',
    options: { 'backup-passphrase-file': { type: 'string' }, force: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: 'FILE' },
    async run(ctx, values, [path = '']) {
      // Restoring onto a new machine: an empty file becomes the store the backup is copied into.
      const storePath = resolveStorePath(str(values, 'store'));
      const created = !existsSync(storePath);
      if (created) {
        mkdirSync(dirname(storePath), { recursive: true, mode: 0o700 });
        writeFileSync(storePath, '', { mode: 0o600, flag: 'wx' });
      }
      try {
        const { initialized } = await ctx.call('keystore.status', {});
        if (initialized && values.force !== true) await refuseToReplaceHeld(ctx, storePath);
        const backupFile = str(values, 'backup-passphrase-file');
        const fromBackup = backupFile ? await ctx.readSecretFile(backupFile, 'backup passphrase file') : process.env.SIGNET_BACKUP_PASSPHRASE || undefined;
        const current = initialized ? await ctx.currentPassphrase() : undefined;
        const passphrase = fromBackup ?? current ?? (await ctx.currentPassphrase());
        const view = await ctx.call('keystore.restore', { path: resolve(path), passphrase, ...(current !== undefined && current !== passphrase && { currentPassphrase: current }) });
        if (ctx.json) ctx.printJson(view);
        else ctx.print(`Restored ${view.path}: ${summary(view)}.\nThe keystore is locked; it unlocks with the backup's passphrase.`);
      } catch (error) {
        if (created) {
          try {
            ctx.openSession().close();
          } catch {
            // Never opened: nothing to close.
          }
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
        }
        throw error;
      }
    },
  },
];

/**
 * A restore replaces everything the keystore holds, keys made since the backup included: as `backup --out`
 * does not write over a file, a restore does not replace keys or captures unless told to (--force).
 */
async function refuseToReplaceHeld(ctx: CliContext, storePath: string): Promise<void> {
  const keys = (await ctx.call('keys.list', {})).length;
  const captures = (await ctx.call('captures.list', {})).length;
  if (keys + captures === 0) return;
  throw new SignetError(
    'ERR_BAD_INPUT',
    `the keystore at ${storePath} holds ${counted(keys, 'key')} and ${counted(captures, 'capture')}, which the restore replaces with the backup's (whatever was made since the backup is lost): pass --force to go on (to keep them, first: signet backup --out FILE)`,
  );
}
