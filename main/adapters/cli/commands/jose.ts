import { existsSync } from 'node:fs';
import { SignetError } from '../../../core/errors.ts';
import type { BodyView, TokenCheckView } from '../../../services/views.ts';
import { defined, str, type CliContext, type Command, type Values } from '../command.ts';

/**
 * TOKEN|FILE|-: standard input for "-", a file when one exists by that name, else the text itself when
 * it reads as a token: a compact JOSE header is base64url of a JSON object, so it begins "ey" (a JSON
 * serialization "{", which decoding then names). Anything else is a file name mistyped, not a token.
 */
export async function tokenArgument(ctx: CliContext, argument: string | undefined): Promise<string> {
  if (argument === undefined || argument === '-') return withoutBearer((await ctx.readInput('-', 'token')).toString('utf8'));
  if (argument.length < 4096 && existsSync(argument)) return withoutBearer((await ctx.readInput(argument, 'token file')).toString('utf8'));
  const token = withoutBearer(argument);
  if (token.startsWith('ey') || token.startsWith('{')) return token;
  throw new SignetError('ERR_UNREADABLE', `neither a JOSE token nor a readable file: ${argument.slice(0, 60)}`);
}

/** A token copied with its Authorization scheme (RFC 6750 §2.1; the scheme name is case-insensitive). */
function withoutBearer(text: string): string {
  return text.trim().replace(/^bearer\s+/i, '');
}

export function jsonOption(values: Values, name: string): Record<string, unknown> | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the error below.
  }
  throw new SignetError('ERR_BAD_INPUT', `--${name} takes a JSON object, e.g. '{"sub":"merchant-1"}'`);
}

export function bodyText(body: BodyView | null): string {
  if (!body) return '(empty)';
  return body.text ?? `(${body.size} bytes, base64) ${body.base64 ?? ''}`;
}

export function checkText(check: TokenCheckView): string {
  const lines = [`${check.verdict}: ${check.detail}`, `  header   ${JSON.stringify(check.header)}`];
  if (check.payload) lines.push(`  payload  ${check.payload.form === 'bytes' ? `(base64) ${check.payload.base64}` : JSON.stringify(check.payload.value)}`);
  for (const step of check.trace ?? []) lines.push(`  ${step.ok === false ? '✗' : step.ok ? '✓' : '→'} ${step.label}: ${step.value}`);
  return lines.join('\n');
}

/** Exit 1 for verdicts that mean "this does not hold". */
export const failed = (verdict: string): boolean => !['valid', 'decrypted', 'known'].includes(verdict);

export const joseCommands: Command[] = [
  {
    name: 'sign',
    summary: 'sign a payload (JWS compact, detached, RFC 7797) or claims (JWT) with a held key',
    usage: '--key ID|KID [--alg ALG] [--payload FILE|-] [--detached] [--b64false] [--typ T] [--header JSON] [--jwt --claims JSON [--exp 1h] [--nbf T] [--iss I] [--aud A] [--jti J] [--no-iat]]',
    options: {
      key: { type: 'string' },
      alg: { type: 'string' },
      payload: { type: 'string' },
      detached: { type: 'boolean' },
      b64false: { type: 'boolean' },
      typ: { type: 'string' },
      header: { type: 'string' },
      jwt: { type: 'boolean' },
      claims: { type: 'string' },
      exp: { type: 'string' },
      nbf: { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string', multiple: true },
      jti: { type: 'string' },
      'no-iat': { type: 'boolean' },
    },
    async run(ctx, values) {
      const key = str(values, 'key');
      if (!key) throw new SignetError('ERR_BAD_INPUT', '--key ID|KID is required');
      const jwt = values.jwt === true;
      if (!jwt && (values.claims !== undefined || values.exp !== undefined)) throw new SignetError('ERR_BAD_INPUT', '--claims and --exp go with --jwt');
      const payloadPath = str(values, 'payload');
      const payload = payloadPath === undefined ? undefined : await ctx.readInput(payloadPath, 'payload');
      if (!jwt && payload === undefined) throw new SignetError('ERR_BAD_INPUT', 'give the payload (--payload FILE, or - for standard input), or sign claims with --jwt --claims JSON');
      const header = jsonOption(values, 'header');
      const claims = jsonOption(values, 'claims');
      const aud = Array.isArray(values.aud) ? values.aud.filter((item): item is string => typeof item === 'string') : undefined;
      const optional = { alg: str(values, 'alg'), typ: str(values, 'typ') };
      const jwtOptions = { exp: str(values, 'exp'), nbf: str(values, 'nbf'), iss: str(values, 'iss'), jti: str(values, 'jti') };
      const signed = await ctx.call('jose.sign', {
        key,
        ...defined(optional),
        ...(payload && { payloadBase64: payload.toString('base64') }),
        ...(values.detached === true && { detached: true }),
        ...(values.b64false === true && { b64: false }),
        ...(header && { header }),
        ...(jwt && {
          jwt: {
            ...(claims && { claims }),
            ...defined(jwtOptions),
            ...(aud && aud.length && { aud: aud.length === 1 ? (aud[0] ?? '') : aud }),
            ...(values['no-iat'] === true && { iat: false }),
          },
        }),
      });
      if (ctx.json) ctx.printJson(signed);
      else ctx.print(signed.token);
    },
  },
  {
    name: 'verify',
    summary: 'verify a JWS or JWT against the keystore (kid, key status, claims)',
    usage: '[--key ID|KID|PUBLIC-KEY-FILE] [--payload FILE] [--at TIME] TOKEN|FILE|-',
    options: { key: { type: 'string' }, payload: { type: 'string' }, at: { type: 'string' } },
    positionals: { min: 0, max: 1, names: 'TOKEN' },
    async run(ctx, values, [argument]) {
      const token = await tokenArgument(ctx, argument);
      const payloadPath = str(values, 'payload');
      const payload = payloadPath === undefined ? undefined : await ctx.readInput(payloadPath, 'payload');
      const key = str(values, 'key');
      const at = str(values, 'at');
      // A partner's public key not kept in the keystore is read from its file, as encrypt --to does.
      const verifier = key === undefined ? {} : existsSync(key) ? { publicKeyBase64: (await ctx.readInput(key, 'public key file')).toString('base64') } : { key };
      const check = await ctx.call('jose.verify', { token, ...verifier, ...(at && { at }), ...(payload && { payloadBase64: payload.toString('base64') }) });
      if (ctx.json) ctx.printJson(check);
      else ctx.print(checkText(check));
      return failed(check.verdict) ? 1 : 0;
    },
  },
  {
    name: 'encrypt',
    summary: 'encrypt to a public key: JWE compact (the third party side of an encrypted response)',
    usage: '--to ID|KID|PUBLIC-KEY-FILE [--alg RSA-OAEP-256|ECDH-ES|ECDH-ES+A256KW|…] [--enc A256GCM|A128CBC-HS256|…] [--cty T] [--in FILE|-]',
    options: { to: { type: 'string' }, alg: { type: 'string' }, enc: { type: 'string' }, cty: { type: 'string' }, in: { type: 'string' } },
    async run(ctx, values) {
      const to = str(values, 'to');
      if (!to) throw new SignetError('ERR_BAD_INPUT', '--to ID|KID|PUBLIC-KEY-FILE is required');
      const plaintext = await ctx.readInput(str(values, 'in') ?? '-', 'plaintext');
      const recipient = existsSync(to) ? { publicKeyBase64: (await ctx.readInput(to, 'public key file')).toString('base64') } : { key: to };
      const optional = { alg: str(values, 'alg'), enc: str(values, 'enc'), cty: str(values, 'cty') };
      const result = await ctx.call('jose.encrypt', { ...recipient, plaintextBase64: plaintext.toString('base64'), ...defined(optional) });
      if (ctx.json) ctx.printJson(result);
      else ctx.print(result.token);
    },
  },
  {
    name: 'decrypt',
    summary: 'decrypt a JWE with a held private key',
    usage: '[--key ID|KID] JWE|FILE|-',
    options: { key: { type: 'string' } },
    positionals: { min: 0, max: 1, names: 'JWE' },
    async run(ctx, values, [argument]) {
      const token = await tokenArgument(ctx, argument);
      const key = str(values, 'key');
      const result = await ctx.call('jose.decrypt', { token, ...(key && { key }) });
      if (ctx.json) ctx.printJson(result);
      else ctx.print(`${result.detail}\n  header     ${JSON.stringify(result.header)}\n  plaintext  ${bodyText(result.plaintext)}`);
    },
  },
  {
    name: 'decode',
    summary: 'decode any JWS, JWT or JWE without a key (nothing is verified)',
    usage: 'TOKEN|FILE|-',
    positionals: { min: 0, max: 1, names: 'TOKEN' },
    async run(ctx, _values, [argument]) {
      const decoded = await ctx.call('jose.decode', { token: await tokenArgument(ctx, argument) });
      if (ctx.json) return ctx.printJson(decoded);
      const lines = [`${decoded.kind.toUpperCase()} (not verified)`, `header     ${JSON.stringify(decoded.header, null, 2)}`];
      if (decoded.payload) lines.push(`payload    ${decoded.payload.form === 'bytes' ? `(base64) ${decoded.payload.base64}` : JSON.stringify(decoded.payload.value, null, 2)}`);
      if (decoded.signature) lines.push(`signature  ${decoded.signature}`);
      if (decoded.kind === 'jwe') lines.push(`parts      encrypted key, iv, ciphertext (${decoded.parts[3]?.length ?? 0} chars), tag`);
      ctx.print(lines.join('\n'));
    },
  },
];
