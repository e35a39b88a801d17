import { AGREEMENT_PROFILE_IDS, SCHEMES, checkSchemeId, type AgreementProfileId } from '../../../core/agreement/index.ts';
import { SignetError } from '../../../core/errors.ts';
import { requestUriOf } from '../../../core/opg/hmac.ts';
import { list, str, type Command, type Values } from '../command.ts';
import { bodyText, checkText, failed, tokenArgument } from './jose.ts';

function profileOf(values: Values): { profile?: AgreementProfileId } {
  const profile = str(values, 'profile');
  if (profile === undefined) return {};
  const known = AGREEMENT_PROFILE_IDS.find((id) => id === profile);
  if (known === undefined) throw new SignetError('ERR_BAD_INPUT', `unknown key-agreement profile "${profile}"; use ${AGREEMENT_PROFILE_IDS.join(', ')}`);
  return { profile: known };
}

const profileOption = { profile: { type: 'string' } } as const;
const PROFILE_USAGE = `[--profile ${AGREEMENT_PROFILE_IDS.join('|')}]`;

export const ephemeralCommands: Command[] = [
  {
    name: 'ephemeral create',
    summary: 'a key pair for one encrypted response: prints the public key to send',
    usage: '[--type ec|rsa] [--ttl 15m] [--json]',
    options: { type: { type: 'string' }, ttl: { type: 'string' } },
    async run(ctx, values) {
      const type = str(values, 'type');
      if (type !== undefined && type !== 'ec' && type !== 'rsa') throw new SignetError('ERR_BAD_INPUT', '--type is ec or rsa');
      const ttl = str(values, 'ttl');
      const created = await ctx.call('ephemeral.create', { ...(type && { type }), ...(ttl && { ttl }) });
      if (ctx.json) return ctx.printJson({ id: created.id, publicJwk: created.publicJwk, publicPem: created.publicPem, expiresAt: created.expiresAt });
      ctx.print(`Session ${created.id} (expires ${created.expiresAt})\n\nPublic JWK:\n${JSON.stringify(created.publicJwk)}\n\n${created.publicPem.trimEnd()}`);
    },
  },
  {
    name: 'ephemeral decrypt',
    summary: 'decrypt the response meant for a session, then destroy its private key',
    usage: 'SESSION JWE|FILE|-',
    positionals: { min: 1, max: 2, names: 'SESSION JWE' },
    async run(ctx, _values, [id = '', argument]) {
      const result = await ctx.call('ephemeral.decrypt', { id, token: await tokenArgument(ctx, argument) });
      if (ctx.json) return ctx.printJson(result);
      ctx.print(`${bodyText(result.plaintext)}\n\n(session ${id}: private key destroyed at ${result.session.destroyedAt ?? '?'})`);
    },
  },
  {
    name: 'ephemeral list',
    summary: 'ephemeral sessions, live and destroyed',
    usage: '',
    async run(ctx) {
      const sessions = await ctx.call('ephemeral.list', {});
      if (ctx.json) return ctx.printJson(sessions);
      ctx.print(sessions.length ? sessions.map((entry) => `${entry.id}  ${entry.type}  ${entry.destroyedAt ? `destroyed (${entry.destroyedWhy})` : `live until ${entry.expiresAt}`}`).join('\n') : 'No ephemeral sessions.');
    },
  },
];

const requestOptions = { method: { type: 'string' }, uri: { type: 'string' }, body: { type: 'string' } } as const;

export const hmacCommands: Command[] = [
  {
    name: 'hmac sign',
    summary: 'build the Authorization: X-OPG-Signature header for a request',
    usage: '--app APPID --method M --uri URI [--body FILE] [--timestamp T] [--nonce N] [--curl URL]',
    options: { app: { type: 'string' }, ...requestOptions, timestamp: { type: 'string' }, nonce: { type: 'string' }, curl: { type: 'string' } },
    async run(ctx, values) {
      const appId = str(values, 'app');
      const method = str(values, 'method');
      const uri = str(values, 'uri');
      if (!appId || !method || !uri) throw new SignetError('ERR_BAD_INPUT', '--app, --method and --uri are required');
      const curlUrl = str(values, 'curl');
      // The server checks the signature against the path and query it receives.
      if (curlUrl !== undefined && requestUriOf(curlUrl) !== requestUriOf(uri)) {
        throw new SignetError('ERR_BAD_INPUT', `--curl requests ${requestUriOf(curlUrl)}, but the signature covers --uri ${requestUriOf(uri)}: give both the same path and query`);
      }
      const bodyPath = str(values, 'body');
      const body = bodyPath === undefined ? undefined : await ctx.readInput(bodyPath, 'body');
      const timestamp = str(values, 'timestamp');
      const nonce = str(values, 'nonce');
      // An empty value is a mistake (an unset shell variable), not a request for the default.
      for (const [name, value, fallback] of [['timestamp', timestamp, 'the current time'], ['nonce', nonce, 'a random one']] as const) {
        if (value === '') throw new SignetError('ERR_BAD_INPUT', `--${name} is empty: give one, or leave the option out for ${fallback}`);
      }
      const signed = await ctx.call('hmac.sign', { appId, method, uri, ...(body && { bodyBase64: body.toString('base64') }), ...(timestamp && { timestamp }), ...(nonce && { nonce }) });
      if (ctx.json) return ctx.printJson(signed);
      if (!curlUrl) return ctx.print(signed.header);
      const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
      ctx.print(['curl', '-X', method.toUpperCase(), quote(curlUrl), '-H', quote(signed.header), ...(bodyPath ? ['--data-binary', quote(`@${bodyPath}`)] : [])].join(' '));
    },
  },
  {
    name: 'hmac verify',
    summary: 'check an X-OPG-Signature header: signature, secret status, clock skew',
    usage: '--header H --method M --uri URI [--body FILE] [--now T]',
    options: { header: { type: 'string' }, ...requestOptions, now: { type: 'string' } },
    async run(ctx, values) {
      const header = str(values, 'header');
      const method = str(values, 'method');
      const uri = str(values, 'uri');
      if (!header || !method || !uri) throw new SignetError('ERR_BAD_INPUT', '--header, --method and --uri are required');
      const bodyPath = str(values, 'body');
      const body = bodyPath === undefined ? undefined : await ctx.readInput(bodyPath, 'body');
      const now = str(values, 'now');
      const check = await ctx.call('hmac.verify', { header, method, uri, ...(body && { bodyBase64: body.toString('base64') }), ...(now && { now }) });
      if (ctx.json) ctx.printJson(check);
      else ctx.print(`${check.verdict}: ${check.detail}${check.canonical ? `\n  canonical string: ${check.canonical}` : ''}`);
      return failed(check.verdict) ? 1 : 0;
    },
  },
];

export const agreeCommands: Command[] = [
  {
    name: 'agree client',
    summary: 'start a key agreement: prints the ClientKeyDerivationSpec to POST to /key-agreement',
    usage: `--scheme S [--scheme S2] [--identifier ID] [--ttl 1h] ${PROFILE_USAGE}`,
    options: { scheme: { type: 'string', multiple: true }, identifier: { type: 'string' }, ttl: { type: 'string' }, ...profileOption },
    async run(ctx, values) {
      // The core's check: it knows the partner's underscore spelling and suggests the wire name.
      const schemes = (list(values, 'scheme') ?? []).map((scheme) => checkSchemeId(scheme));
      if (schemes.length === 0) throw new SignetError('ERR_BAD_INPUT', `--scheme is required (${SCHEMES.join(', ')})`);
      const ttl = str(values, 'ttl');
      const started = await ctx.call('agree.client', { schemes, identifier: str(values, 'identifier') ?? 'signet-client', ...(ttl && { ttl }), ...profileOf(values) });
      if (ctx.json) return ctx.printJson(started);
      process.stderr.write(`agreement ${started.ref} (finish with: signet agree finish ${started.ref} < info.json)\n`);
      ctx.print(JSON.stringify(started.spec, null, 2));
    },
  },
  {
    name: 'agree server',
    summary: 'answer a ClientKeyDerivationSpec (standard input): prints the ServerKeyDerivationInfo',
    usage: `[--identifier ID] [--ttl 1h] ${PROFILE_USAGE} < spec.json`,
    options: { identifier: { type: 'string' }, ttl: { type: 'string' }, ...profileOption },
    async run(ctx, values) {
      const profile = profileOf(values);
      const spec = (await ctx.readInput('-', 'client spec')).toString('utf8');
      const ttl = str(values, 'ttl');
      const answered = await ctx.call('agree.server', { spec, identifier: str(values, 'identifier') ?? 'signet-server', ...(ttl && { ttl }), ...profile });
      if (ctx.json) return ctx.printJson(answered);
      ctx.print(JSON.stringify(answered.info, null, 2));
    },
  },
  {
    name: 'agree finish',
    summary: 'check the server proof (standard input: ServerKeyDerivationInfo) and keep the derived key',
    // The client's state remembers its profile: --profile is not needed, and is checked against it when given.
    usage: `REF ${PROFILE_USAGE} < info.json`,
    options: profileOption,
    positionals: { min: 1, max: 1, names: 'REF' },
    async run(ctx, values, [ref = '']) {
      const profile = profileOf(values);
      const info = (await ctx.readInput('-', 'server info')).toString('utf8');
      const finished = await ctx.call('agree.finish', { ref, info, ...profile });
      if (ctx.json) return ctx.printJson(finished);
      ctx.print(`Agreed ${finished.scheme ?? ''}: reference ${finished.ref}.`);
    },
  },
  {
    name: 'agree encrypt',
    summary: 'seal a sensitive field (standard input) under an agreed key',
    usage: 'REF < plaintext',
    positionals: { min: 1, max: 1, names: 'REF' },
    async run(ctx, _values, [ref = '']) {
      const plaintext = await ctx.readInput('-', 'plaintext');
      const result = await ctx.call('agree.encrypt', { ref, plaintextBase64: plaintext.toString('base64') });
      return ctx.json ? ctx.printJson(result) : ctx.print(result.sealed);
    },
  },
  {
    name: 'agree decrypt',
    summary: 'open a sealed field (argument or standard input) with an agreed key',
    usage: 'REF [SEALED]',
    positionals: { min: 1, max: 2, names: 'REF [SEALED]' },
    async run(ctx, _values, [ref = '', sealedArgument]) {
      const sealed = sealedArgument ?? (await ctx.readInput('-', 'sealed field')).toString('utf8').trim();
      const result = await ctx.call('agree.decrypt', { ref, sealed });
      return ctx.json ? ctx.printJson(result) : ctx.print(result.plaintext);
    },
  },
  {
    name: 'agree list',
    summary: 'key agreements',
    usage: '',
    async run(ctx) {
      const agreements = await ctx.call('agree.list', {});
      if (ctx.json) return ctx.printJson(agreements);
      ctx.print(agreements.length ? agreements.map((entry) => `${entry.ref}  ${entry.role}  ${entry.scheme ?? '(waiting for answer)'}  ${entry.agreed ? 'agreed' : 'pending'}  until ${entry.expiresAt}`).join('\n') : 'No key agreements.');
    },
  },
];
