import { int, list, str, type Command, type Values } from '../command.ts';
import { certificateLines } from '../format.ts';
import { SignetError } from '../../../core/errors.ts';

const certOptions = {
  subject: { type: 'string' },
  san: { type: 'string', multiple: true },
  usage: { type: 'string' },
  out: { type: 'string' },
} as const;

function usageOf(values: Values): 'client' | 'server' | 'signing' | undefined {
  const usage = str(values, 'usage');
  if (usage === undefined || usage === 'client' || usage === 'server' || usage === 'signing') return usage;
  throw new SignetError('ERR_BAD_INPUT', `--usage is client, server or signing, not "${usage}"`);
}

function subjectOf(values: Values): string {
  const subject = str(values, 'subject');
  if (!subject) throw new SignetError('ERR_BAD_INPUT', '--subject "CN=…,O=…" is required');
  return subject;
}

export const certCommands: Command[] = [
  {
    name: 'cert self-sign',
    summary: 'make a self-signed certificate for a held key and attach it',
    usage: 'ID --subject "CN=…,O=…" [--days N] [--san dns:host]… [--usage client|server|signing] [--replace] [--out FILE]',
    options: { ...certOptions, days: { type: 'string' }, replace: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [ref = '']) {
      const sans = list(values, 'san');
      const usage = usageOf(values);
      const days = int(values, 'days');
      // 0 goes to the contract, which refuses it: dropping it would make a certificate of the default length.
      const result = await ctx.call('certs.selfSign', {
        ref,
        subject: subjectOf(values),
        ...(sans && { sans }),
        ...(usage && { usage }),
        ...(days !== undefined && { days }),
        ...(values.replace === true && { replace: true }),
      });
      const out = str(values, 'out');
      // Written before anything is printed, so a failed write leaves one error and no success document.
      if (!ctx.json || out) {
        try {
          await ctx.emitArtifact(result.artifact, out);
        } catch (error) {
          if (!(error instanceof SignetError)) throw error;
          throw new SignetError(error.code, `${error.message}; the certificate is attached to key ${result.key.id}: export it with "signet keys export ${result.key.id} --public --format cert --out FILE"`);
        }
      }
      if (ctx.json) ctx.printJson({ ...result.certificate, pem: Buffer.from(result.artifact.contentBase64, 'base64').toString('utf8') });
      else if (out) ctx.print([`Certificate attached to ${result.key.kid} (${result.key.name}):`, ...certificateLines(result.certificate)].join('\n'));
    },
  },
  {
    name: 'cert csr',
    summary: 'make a PKCS#10 certificate request for a held key',
    usage: 'ID --subject "CN=…,O=…" [--san dns:host]… [--usage client|server|signing] [--out FILE]',
    options: certOptions,
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [ref = '']) {
      const sans = list(values, 'san');
      const usage = usageOf(values);
      const artifact = await ctx.call('certs.csr', { ref, subject: subjectOf(values), ...(sans && { sans }), ...(usage && { usage }) });
      if (ctx.json && !str(values, 'out')) ctx.printJson({ pem: Buffer.from(artifact.contentBase64, 'base64').toString('utf8') });
      else await ctx.emitArtifact(artifact, str(values, 'out'));
    },
  },
];
