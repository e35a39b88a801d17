import { int, str, type Command } from '../command.ts';
import { auditTable } from '../format.ts';

export const auditCommands: Command[] = [
  {
    name: 'audit list',
    summary: 'the audit log, newest first',
    usage: '[--key ID|KID] [--limit N]',
    options: { key: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, values) {
      const key = str(values, 'key');
      const limit = int(values, 'limit');
      const entries = await ctx.call('audit.list', { ...(key && { key }), ...(limit && { limit }) });
      if (ctx.json) ctx.printJson(entries);
      else ctx.print(auditTable(entries));
    },
  },
  {
    name: 'audit verify',
    summary: 'check the hash chain of the audit log; exit 1 if a row was edited or removed',
    usage: '',
    async run(ctx) {
      const report = await ctx.call('audit.verify', {});
      if (ctx.json) ctx.printJson(report);
      else if (report.ok) ctx.print(`Audit chain intact: ${report.rows} rows.`);
      else ctx.print(`Audit chain BROKEN at row ${report.brokenAt?.seq}: ${report.brokenAt?.reason}.`);
      return report.ok ? 0 : 1;
    },
  },
];
