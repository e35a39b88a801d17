import type { Command } from '../command.ts';

export const keystoreCommands: Command[] = [
  {
    name: 'init',
    summary: 'create a keystore protected by a passphrase',
    usage: '[--store PATH] [--passphrase-file F]',
    createsStore: true,
    async run(ctx) {
      const passphrase = await ctx.newPassphrase(undefined, 'SIGNET_PASSPHRASE');
      const status = await ctx.call('keystore.init', { passphrase });
      if (ctx.json) ctx.printJson(status);
      else ctx.print(`Created keystore ${status.path} (schema ${status.schemaVersion}).`);
    },
  },
  {
    name: 'passphrase change',
    summary: 're-wrap the master key under a new passphrase (keys are not re-encrypted)',
    usage: '[--passphrase-file CURRENT] [--new-passphrase-file NEW]',
    options: { 'new-passphrase-file': { type: 'string' } },
    async run(ctx, values) {
      const current = await ctx.currentPassphrase();
      const next = await ctx.newPassphrase(typeof values['new-passphrase-file'] === 'string' ? values['new-passphrase-file'] : undefined, 'SIGNET_NEW_PASSPHRASE');
      const status = await ctx.call('keystore.changePassphrase', { current, next });
      if (ctx.json) ctx.printJson(status);
      else ctx.print('Passphrase changed.');
    },
  },
  {
    name: 'status',
    summary: 'where the keystore is, its schema version and key count',
    usage: '',
    async run(ctx) {
      const status = await ctx.call('keystore.status', {});
      if (ctx.json) ctx.printJson(status);
      else ctx.print(`${status.path}\n  schema ${status.schemaVersion}, ${status.keyCount} keys, ${status.initialized ? 'initialised' : 'no passphrase yet'}`);
    },
  },
];
