import { z } from 'zod';
import { settingsPatchSchema, type Settings } from '../services/settings.ts';
import type { Artifact, AuditChainView, AuditEntryView, CertificateInfo, KeyDetail, KeystoreStatusView, KeyView } from '../services/views.ts';
import type { MethodName } from './names.ts';

/**
 * The contract: one table of methods, each with an input schema (checked at every transport by
 * `dispatch`) and an output type. Electron IPC, the loopback HTTP server and the CLI all go through it;
 * the renderer's client is typed from it.
 */
export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type only. */
  output: O;
  summary: string;
}

/** `returns<Output>()(inputSchema, summary)`: the input type is inferred, the output named. */
const returns =
  <O>() =>
  <I extends z.ZodType>(input: I, summary: string): MethodSpec<I, O> => ({ input, output: undefined as O, summary });

const ref = z.string().min(1).max(200);
const label = z.string().max(200);
const passphrase = z.string().min(1).max(1024);
/** An ISO 8601 date/time, or a duration from now such as 90d. */
const when = z.string().min(1).max(64);
/** Binary inputs travel as base64; 2 MiB of key file is far more than any real one. */
const base64 = z.string().max(3_000_000).regex(/^[A-Za-z0-9+/=\s]*$/, 'base64');
const keyType = z.enum(['rsa', 'ec', 'ed25519', 'x25519', 'hmac']);
const keyUse = z.enum(['sig', 'enc']);
const alg = z.string().min(1).max(30);
const certUsage = z.enum(['client', 'server', 'signing']);
const subject = z.string().min(3).max(1000);
const sans = z.array(z.string().min(1).max(300)).max(100);
const labels = { name: label.optional(), owner: label.optional(), environment: label.optional() };
const empty = z.object({}).strict();

export const contract = {
  'keystore.status': returns<KeystoreStatusView>()(empty, 'where the keystore is and whether it is unlocked'),
  'keystore.init': returns<KeystoreStatusView>()(z.object({ passphrase }), 'create the master key under a passphrase'),
  'keystore.unlock': returns<KeystoreStatusView>()(z.object({ passphrase }), 'unlock with the passphrase'),
  'keystore.lock': returns<KeystoreStatusView>()(empty, 'forget the master key'),
  'keystore.changePassphrase': returns<KeystoreStatusView>()(z.object({ current: passphrase, next: passphrase }), 're-wrap the master key under a new passphrase'),

  'settings.get': returns<Settings>()(empty, 'all settings, defaults filled in'),
  'settings.update': returns<Settings>()(
    settingsPatchSchema,
    'change settings (only the values given)',
  ),

  'keys.list': returns<KeyView[]>()(
    z.object({
      owner: label.optional(),
      type: keyType.optional(),
      use: keyUse.optional(),
      status: z.enum(['pending', 'active', 'revoked', 'expired']).optional(),
      expiringSoon: z.boolean().optional(),
      search: label.optional(),
      at: when.optional(),
    }),
    'keys and trust-store entries',
  ),
  'keys.show': returns<KeyDetail>()(z.object({ ref }), 'one key with its public part, certificate and history'),
  'keys.generate': returns<KeyView>()(
    z.object({
      type: keyType,
      bits: z.number().int().optional(),
      curve: z.enum(['P-256', 'P-384', 'P-521']).optional(),
      ...labels,
      use: keyUse.optional(),
      alg: alg.optional(),
      kid: ref.optional(),
      expires: when.optional(),
      notBefore: when.optional(),
      pending: z.boolean().optional(),
      appId: ref.optional(),
      certificate: z.object({ subject, sans: sans.optional() }).optional(),
    }),
    'generate a key pair or an HMAC secret',
  ),
  'keys.import': returns<KeyView[]>()(
    z.object({ contentBase64: base64, password: z.string().max(1024).optional(), ...labels, kid: ref.optional(), expires: when.optional(), use: keyUse.optional(), alg: alg.optional() }),
    'import keys from PEM, DER, JWK, JWKS or PKCS#12',
  ),
  'keys.importSecret': returns<KeyView>()(
    z.object({ appId: ref, secretBase64: base64, ...labels, expires: when.optional(), alg: alg.optional() }),
    'import an HMAC secret issued by a partner',
  ),
  'keys.export': returns<Artifact>()(
    z.object({ ref, part: z.enum(['public', 'private']), format: z.enum(['pem', 'der', 'jwk', 'jwks', 'p12', 'cert']), password: z.string().max(1024).optional() }),
    'export the public part, or the private part when asked for explicitly',
  ),
  'keys.revoke': returns<KeyView>()(z.object({ ref, reason: z.string().max(500).optional(), at: when.optional() }), 'revoke, optionally since a past moment'),
  'keys.activate': returns<KeyView>()(z.object({ ref }), 'activate a pending key'),
  'keys.delete': returns<{ id: string; kid: string }>()(z.object({ ref }), 'delete a key'),

  'certs.selfSign': returns<{ key: KeyView; certificate: CertificateInfo; artifact: Artifact }>()(
    z.object({ ref, subject, sans: sans.optional(), usage: certUsage.optional(), days: z.number().int().min(1).max(36500).optional() }),
    'self-signed certificate for a held key',
  ),
  'certs.csr': returns<Artifact>()(z.object({ ref, subject, sans: sans.optional(), usage: certUsage.optional() }), 'PKCS#10 certificate request for a held key'),

  'audit.list': returns<AuditEntryView[]>()(
    z.object({ key: ref.optional(), limit: z.number().int().min(1).max(10000).optional(), offset: z.number().int().min(0).optional() }),
    'audit history, newest first',
  ),
  'audit.verify': returns<AuditChainView>()(empty, 'check the audit hash chain'),
} satisfies { [M in MethodName]: MethodSpec<z.ZodType, unknown> };

export type Contract = typeof contract;
export type Input<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type Output<M extends MethodName> = Contract[M]['output'];
export type { MethodName };
