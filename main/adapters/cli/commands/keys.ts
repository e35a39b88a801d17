import { SignetError } from '../../../core/errors.ts';
import { SECRET_ENCODINGS } from '../../../core/keys/secret-text.ts';
import { MAX_KEY_FILE_BYTES } from '../../../core/keys/types.ts';
import { defined, int, list, str, type Command, type Values } from '../command.ts';
import { counted, keyDetail, keySummary, keyTable } from '../format.ts';
import { checkDestination, readInput } from '../io.ts';

const labelOptions = { name: { type: 'string' }, owner: { type: 'string' }, env: { type: 'string' } } as const;

function labels(values: Values) {
  return defined({ name: str(values, 'name'), owner: str(values, 'owner'), environment: str(values, 'env') });
}

function oneOf<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new SignetError('ERR_BAD_INPUT', `--${name} is one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

const KEY_TYPES = ['rsa', 'ec', 'ed25519', 'x25519', 'hmac'] as const;
const CURVES = ['P-256', 'P-384', 'P-521'] as const;
const USES = ['sig', 'enc'] as const;
const STATUSES = ['pending', 'active', 'revoked', 'expired'] as const;
const FORMATS = ['pem', 'der', 'jwk', 'jwks', 'p12', 'cert'] as const;

export const keysCommands: Command[] = [
  {
    name: 'keys generate',
    summary: 'generate a key pair (RSA, EC, Ed25519, X25519) or an HMAC secret',
    usage:
      '--type rsa|ec|ed25519|x25519|hmac [--bits N] [--curve P-256|P-384|P-521] [--name N] [--owner O] [--env E] [--use sig|enc] [--alg ALG] [--kid K] [--expires 2y|90d|DATE] [--not-before DATE] [--pending] [--cert --subject "CN=…"] [--san dns:host]… [--app-id ID]',
    options: {
      type: { type: 'string' },
      bits: { type: 'string' },
      curve: { type: 'string' },
      ...labelOptions,
      use: { type: 'string' },
      alg: { type: 'string' },
      kid: { type: 'string' },
      expires: { type: 'string' },
      'not-before': { type: 'string' },
      pending: { type: 'boolean' },
      cert: { type: 'boolean' },
      subject: { type: 'string' },
      san: { type: 'string', multiple: true },
      'app-id': { type: 'string' },
    },
    async run(ctx, values) {
      const type = oneOf(values, 'type', KEY_TYPES);
      if (!type) throw new SignetError('ERR_BAD_INPUT', '--type is required (rsa, ec, ed25519, x25519 or hmac)');
      const subject = str(values, 'subject');
      if (values.cert && !subject) throw new SignetError('ERR_BAD_INPUT', '--cert needs --subject "CN=…,O=…"');
      if (subject && !values.cert) throw new SignetError('ERR_BAD_INPUT', '--subject goes with --cert');
      const bits = int(values, 'bits');
      const curve = oneOf(values, 'curve', CURVES);
      const use = oneOf(values, 'use', USES);
      const optional = {
        alg: str(values, 'alg'),
        kid: str(values, 'kid'),
        expires: str(values, 'expires'),
        notBefore: str(values, 'not-before'),
        appId: str(values, 'app-id'),
      };
      const sans = list(values, 'san');
      const key = await ctx.call('keys.generate', {
        type,
        ...labels(values),
        ...(bits !== undefined && { bits }),
        ...(curve && { curve }),
        ...(use && { use }),
        ...defined(optional),
        ...(values.pending === true && { pending: true }),
        ...(subject && { certificate: { subject, ...(sans && { sans }) } }),
      });
      if (ctx.json) ctx.printJson(key);
      else ctx.print(keySummary(key));
    },
  },
  {
    name: 'keys list',
    summary: 'list keys and trust-store entries',
    usage: '[--owner O] [--type T] [--use sig|enc] [--status active|pending|revoked|expired] [--expiring] [--search TEXT] [--at TIME]',
    options: { owner: { type: 'string' }, type: { type: 'string' }, use: { type: 'string' }, status: { type: 'string' }, expiring: { type: 'boolean' }, search: { type: 'string' }, at: { type: 'string' } },
    async run(ctx, values) {
      const type = oneOf(values, 'type', KEY_TYPES);
      const use = oneOf(values, 'use', USES);
      const status = oneOf(values, 'status', STATUSES);
      const filter = { owner: str(values, 'owner'), search: str(values, 'search'), at: str(values, 'at') };
      const keys = await ctx.call('keys.list', {
        ...defined(filter),
        ...(type && { type }),
        ...(use && { use }),
        ...(status && { status }),
        ...(values.expiring === true && { expiringSoon: true }),
      });
      if (ctx.json) ctx.printJson(keys);
      else ctx.print(keyTable(keys));
    },
  },
  {
    name: 'keys show',
    summary: 'one key: details, public JWK and PEM, certificate, history',
    usage: 'ID|KID',
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, _values, [ref = '']) {
      const detail = await ctx.call('keys.show', { ref });
      if (ctx.json) ctx.printJson(detail);
      else ctx.print(keyDetail(detail));
    },
  },
  {
    name: 'keys import',
    summary: 'import keys from PEM, DER, JWK, JWKS or PKCS#12 (format detected)',
    usage: 'FILE|- [--name N] [--owner O] [--env E] [--kid K] [--expires …] [--use sig|enc] [--alg ALG] [--password-file F]',
    options: { ...labelOptions, kid: { type: 'string' }, expires: { type: 'string' }, use: { type: 'string' }, alg: { type: 'string' }, 'password-file': { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'FILE' },
    async run(ctx, values, [path = '']) {
      // Refused here, before its base64 meets the contract's limit on the field, which names no file.
      const content = await readInput(path, 'key file', MAX_KEY_FILE_BYTES);
      const passwordFile = str(values, 'password-file');
      const password = passwordFile ? await ctx.readSecretFile(passwordFile, 'password file') : undefined;
      const use = oneOf(values, 'use', USES);
      const optional = { kid: str(values, 'kid'), expires: str(values, 'expires'), alg: str(values, 'alg'), password };
      const keys = await ctx.call('keys.import', {
        contentBase64: content.toString('base64'),
        ...labels(values),
        ...(use && { use }),
        ...defined(optional),
      });
      if (ctx.json) return ctx.printJson(keys);
      const attached = keys.filter((key) => key.certificateAttached);
      const added = keys.filter((key) => !key.certificateAttached);
      for (const key of attached) ctx.print(`Certificate attached to ${key.kid} (${key.name}): ${key.certificate?.subject ?? ''}, issued by ${key.certificate?.issuer ?? ''}.`);
      if (added.length > 0) ctx.print(`Imported ${counted(added.length, 'key')}.`);
      ctx.print(keyTable(keys));
    },
  },
  {
    name: 'keys import-secret',
    summary: 'import an HMAC secret issued by a partner portal (stored sealed)',
    usage: '--app-id ID --secret-file F [--encoding text|base64|hex] [--name N] [--owner O] [--env E] [--expires …]',
    options: { 'app-id': { type: 'string' }, 'secret-file': { type: 'string' }, encoding: { type: 'string' }, ...labelOptions, expires: { type: 'string' }, alg: { type: 'string' } },
    async run(ctx, values) {
      const appId = str(values, 'app-id');
      const secretFile = str(values, 'secret-file');
      if (!appId || !secretFile) throw new SignetError('ERR_BAD_INPUT', '--app-id and --secret-file are required');
      const encoding = oneOf(values, 'encoding', SECRET_ENCODINGS) ?? 'text';
      const secretText = await ctx.readSecretFile(secretFile, 'secret file');
      const expires = str(values, 'expires');
      const alg = str(values, 'alg');
      const key = await ctx.call('keys.importSecret', { appId, secretText, encoding, ...labels(values), ...(expires && { expires }), ...(alg && { alg }) });
      if (ctx.json) ctx.printJson(key);
      else ctx.print(keySummary(key));
    },
  },
  {
    name: 'keys export',
    summary: 'export the public part, or (explicitly, audited) the private part: encrypted with --password-file (pem, der; p12 needs one)',
    usage: 'ID --public|--private --format pem|der|jwk|jwks|p12|cert [--password-file F] [--out FILE [--force]]',
    options: { public: { type: 'boolean' }, private: { type: 'boolean' }, format: { type: 'string' }, 'password-file': { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [ref = '']) {
      if (Boolean(values.public) === Boolean(values.private)) throw new SignetError('ERR_BAD_INPUT', 'say which part: --public or --private');
      const format = oneOf(values, 'format', FORMATS) ?? 'pem';
      const passwordFile = str(values, 'password-file');
      const password = passwordFile ? await ctx.readSecretFile(passwordFile, 'password file') : undefined;
      const out = str(values, 'out');
      if (out) await checkDestination(out, !values.private || values.force === true);
      const artifact = await ctx.call('keys.export', { ref, part: values.private ? 'private' : 'public', format, ...(password && { password }) });
      if (!ctx.json || out) await ctx.emitArtifact(artifact, out);
      if (!ctx.json) return;
      // --json is one JSON document: what was written where, or the export itself inside it.
      const { fileName, mimeType, contentBase64, text } = artifact;
      const bytes = Buffer.from(contentBase64, 'base64');
      ctx.printJson(out ? { path: out, fileName, mimeType, bytes: bytes.length } : { fileName, mimeType, ...(text ? { text: bytes.toString('utf8') } : { contentBase64 }) });
    },
  },
  {
    name: 'keys revoke',
    summary: 'revoke a key; a past --at records a compromise since then',
    usage: 'ID [--reason R] [--at TIME]',
    options: { reason: { type: 'string' }, at: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [ref = '']) {
      const reason = str(values, 'reason');
      const at = str(values, 'at');
      const key = await ctx.call('keys.revoke', { ref, ...(reason && { reason }), ...(at && { at }) });
      if (ctx.json) ctx.printJson(key);
      else ctx.print(`Revoked ${key.id} (${key.kid}) since ${key.revokedAt}: ${key.revocationReason}.`);
    },
  },
  {
    name: 'keys renew',
    summary: 'give an active or pending key a new expiry (a revoked or expired one gets a successor instead)',
    usage: 'ID --expires DURATION|DATE',
    options: { expires: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [ref = '']) {
      const expires = str(values, 'expires');
      if (!expires) throw new SignetError('ERR_BAD_INPUT', 'say the new expiry: --expires 1y (from now) or --expires 2027-12-31');
      const key = await ctx.call('keys.renew', { ref, expires });
      if (ctx.json) ctx.printJson(key);
      else ctx.print(`Renewed ${key.id} (${key.kid}): it now expires at ${key.expiresAt}.`);
      // A self-signed certificate is not renewed with its key (a CA's one holds the renewal back, in the service).
      const certificate = key.certificate;
      if (!ctx.json && certificate?.selfSigned && key.expiresAt && certificate.notAfter < key.expiresAt) {
        ctx.print(`Its self-signed certificate still ends at ${certificate.notAfter}: issue a new one to go with the key (signet cert self-sign ${key.kid} --subject "${certificate.subject}").`);
      }
    },
  },
  {
    name: 'keys activate',
    summary: 'activate a pending key',
    usage: 'ID',
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, _values, [ref = '']) {
      const key = await ctx.call('keys.activate', { ref });
      if (ctx.json) ctx.printJson(key);
      else ctx.print(`Activated ${key.id} (${key.kid}).`);
    },
  },
  {
    name: 'keys delete',
    summary: 'delete a key and its sealed private part (recorded in the audit log)',
    usage: 'ID',
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, _values, [ref = '']) {
      const deleted = await ctx.call('keys.delete', { ref });
      if (ctx.json) ctx.printJson(deleted);
      else ctx.print(`Deleted ${deleted.id} (${deleted.kid}).`);
    },
  },
];
