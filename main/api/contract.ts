import { isAbsolute, win32 } from 'node:path';
import { z } from 'zod';
import { settingsPatchSchema, type Settings } from '../services/settings.ts';
import { SCHEMES, VERDICTS } from '../core/inspect/findings.ts';
import type { DecodedToken } from '../core/jose/decode.ts';
import { SECRET_ENCODINGS } from '../core/keys/secret-text.ts';
import { AGREEMENT_PROFILE_IDS, SCHEMES as AGREEMENT_SCHEMES, type ClientKeyDerivationSpec, type ServerKeyDerivationInfo } from '../core/agreement/index.ts';
import type { AgreementView, ApiKeyView, Artifact, BodyView, EphemeralView, ImportedKeyView, JobView, TokenCheckView, AuditChainView, CaptureReport, CaptureView, ExchangeDetail, ExchangeRowView, AuditEntryView, CertificateInfo, DeletedKeyView, KeyDetail, KeystoreStatusView, KeyView, SanitizedDownload, SanitizedExport } from '../services/views.ts';
import type { MethodName } from './names.ts';
import type { BackupView } from '../services/backup.ts';
import { configPatchSchema, notifyChannelSchema } from '../services/notifications/schemas.ts';
import type { NotificationConfigView, NotificationRunView, NotificationsDueView, NotificationTestView, NotificationView } from '../services/notification-views.ts';

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
/** A file on this machine (captures are opened by path, never sent across IPC). */
const path = z.string().min(1).max(4096);
/**
 * A file the keystore is written to or replaced from: a full path, since a relative one would be
 * resolved against wherever the server happened to start (the CLI resolves its own first).
 */
const fullPath = path.refine((value) => isAbsolute(value) || win32.isAbsolute(value), { message: 'a full path (a relative one would land in the folder the server was started in)' });
/** A compact JOSE object (16 MiB is the decoder's own bound). */
const token = z.string().min(1).max(16 * 1024 * 1024);
const httpMethod = z.string().regex(/^[A-Za-z]{1,20}$/, 'an HTTP method');
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
const generateInput = z.object({
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
});

export const contract = {
  'keystore.status': returns<KeystoreStatusView>()(empty, 'where the keystore is and whether it is unlocked'),
  'keystore.init': returns<KeystoreStatusView>()(z.object({ passphrase }), 'create the master key under a passphrase'),
  'keystore.unlock': returns<KeystoreStatusView>()(z.object({ passphrase }), 'unlock with the passphrase'),
  'keystore.lock': returns<KeystoreStatusView>()(empty, 'forget the master key'),
  'keystore.changePassphrase': returns<KeystoreStatusView>()(z.object({ current: passphrase, next: passphrase }), 're-wrap the master key under a new passphrase'),
  'keystore.backup': returns<BackupView>()(
    z.object({ path: fullPath, passphrase, overwrite: z.boolean().optional() }),
    'write the whole keystore to one file: an online SQLite snapshot sealed under the passphrase (audited)',
  ),
  'keystore.restore': returns<BackupView>()(
    z.object({ path: fullPath, passphrase, currentPassphrase: passphrase.optional() }),
    'replace the keystore with a checked backup, or refuse and change nothing (audited)',
  ),

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
  'keys.generate': returns<KeyView>()(generateInput, 'generate a key pair or an HMAC secret'),
  'keys.generateJob': returns<JobView>()(generateInput, 'generate as a job (progress, cancel): for RSA-4096'),
  'keys.import': returns<ImportedKeyView[]>()(
    z.object({
      contentBase64: base64.optional(),
      path: path.optional(),
      password: z.string().max(1024).optional(),
      ...labels,
      kid: ref.optional(),
      expires: when.optional(),
      use: keyUse.optional(),
      alg: alg.optional(),
    }),
    'import keys from PEM, DER, JWK, JWKS or PKCS#12, given as bytes or as a file on this machine',
  ),
  'keys.importSecret': returns<KeyView>()(
    z.object({
      appId: ref,
      secretBase64: base64.optional(),
      // The secret as issued, decoded by the service: hex of the longest secret kept (4096 bytes), spaced.
      secretText: z.string().min(1).max(16_384).optional(),
      encoding: z.enum(SECRET_ENCODINGS).optional(),
      ...labels,
      expires: when.optional(),
      alg: alg.optional(),
    }),
    'import an HMAC secret issued by a partner: its bytes (secretBase64), or its text and how that is written (secretText, encoding)',
  ),
  'keys.export': returns<Artifact>()(
    z.object({ ref, part: z.enum(['public', 'private']), format: z.enum(['pem', 'der', 'jwk', 'jwks', 'p12', 'cert']), password: z.string().max(1024).optional() }),
    'export the public part, or the private part when asked for explicitly',
  ),
  'keys.revoke': returns<KeyView>()(z.object({ ref, reason: z.string().max(500).optional(), at: when.optional() }), 'revoke, optionally since a past moment'),
  'keys.renew': returns<KeyView>()(z.object({ ref, expires: when }), 'give an active or pending key a new expiry (a duration from now, or a date)'),
  'keys.activate': returns<KeyView>()(z.object({ ref }), 'activate a pending key'),
  'keys.delete': returns<{ id: string; kid: string }>()(z.object({ ref }), 'delete a key'),

  'certs.selfSign': returns<{ key: KeyView; certificate: CertificateInfo; artifact: Artifact }>()(
    z.object({ ref, subject, sans: sans.optional(), usage: certUsage.optional(), days: z.number().int().min(1).max(36500).optional(), replace: z.boolean().optional() }),
    'self-signed certificate for a held key',
  ),
  'certs.csr': returns<Artifact>()(z.object({ ref, subject, sans: sans.optional(), usage: certUsage.optional() }), 'PKCS#10 certificate request for a held key'),

  'audit.list': returns<AuditEntryView[]>()(
    z.object({ key: ref.optional(), limit: z.number().int().min(1).max(10000).optional(), offset: z.number().int().min(0).optional() }),
    'audit history, newest first',
  ),
  'audit.verify': returns<AuditChainView>()(empty, 'check the audit hash chain'),
  'audit.deletedKeys': returns<DeletedKeyView[]>()(empty, 'keys deleted from the keystore, as the audit log names them'),

  'jobs.get': returns<JobView>()(z.object({ id: ref }), 'progress and outcome of a job'),
  'jobs.cancel': returns<JobView>()(z.object({ id: ref }), 'cancel a running job (nothing half-stored)'),
  'jobs.list': returns<JobView[]>()(empty, 'jobs of this session'),

  'notifications.run': returns<NotificationRunView>()(empty, 'record what is due (status changes, expiry reminders) and send what is queued'),
  'notifications.due': returns<NotificationsDueView>()(empty, 'what a run would record now (status changes, expiry reminders), storing and sending nothing'),
  'notifications.list': returns<NotificationView[]>()(
    z.object({ unread: z.boolean().optional(), key: ref.optional(), limit: z.number().int().min(1).max(1000).optional(), offset: z.number().int().min(0).optional() }),
    'the in-app notification center, newest first, with each delivery and its error',
  ),
  'notifications.unreadCount': returns<{ unread: number }>()(empty, 'unread notifications in the center'),
  'notifications.markRead': returns<{ marked: number; unread: number }>()(
    z.object({ ids: z.array(ref).max(1000).optional(), all: z.boolean().optional() }).refine((input) => input.all === true || (input.ids?.length ?? 0) > 0, 'name notification ids, or all'),
    'mark notifications read',
  ),
  'notifications.config': returns<NotificationConfigView>()(empty, 'notification channels per owner, SMTP server, reminder offsets (credentials shown only as set or not)'),
  'notifications.configure': returns<NotificationConfigView>()(configPatchSchema, 'change notification settings; credentials are sealed'),
  'notifications.exportWebhookSecret': returns<Artifact>()(z.object({ owner: label.optional() }), 'the webhook signing secret, for the receiver (audited)'),
  'notifications.test': returns<NotificationTestView>()(z.object({ channel: notifyChannelSchema, owner: label.optional() }), 'send a test notification through one channel now'),

  'captures.verify': returns<CaptureReport>()(z.object({ path, at: when.optional() }), 'inspect a capture file without storing it'),
  'captures.import': returns<CaptureView>()(z.object({ path, name: label.optional(), at: when.optional() }), 'inspect and store a capture'),
  'captures.importJob': returns<JobView>()(
    z.object({ path: path.optional(), uploadId: z.string().max(40).optional(), name: label.optional(), at: when.optional() }),
    'import as a job (progress, cancel): a path, or a file uploaded to browser mode',
  ),
  'captures.list': returns<CaptureView[]>()(empty, 'stored captures'),
  'captures.get': returns<CaptureView>()(z.object({ id: ref }), 'one stored capture'),
  'captures.exchanges': returns<{ rows: ExchangeRowView[]; total: number }>()(
    z.object({
      id: ref,
      verdict: z.enum(VERDICTS).optional(),
      scheme: z.enum(SCHEMES).optional(),
      host: z.string().max(300).optional(),
      method: z.string().max(20).optional(),
      sort: z.enum(['index', 'severity']).optional(),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    'a page of exchanges, filtered and sorted in SQLite',
  ),
  'captures.exchange': returns<ExchangeDetail>()(
    z.object({ id: ref, index: z.number().int().min(0), reveal: z.boolean().optional() }),
    'one exchange: headers, bodies, decoded JOSE, findings and traces',
  ),
  'captures.delete': returns<{ id: string }>()(z.object({ id: ref }), 'delete a stored capture'),
  'captures.exportSanitized': returns<SanitizedExport>()(z.object({ id: ref, path, overwrite: z.boolean().optional() }), 'write a HAR with credentials redacted and signatures kept'),
  'captures.exportArtifact': returns<SanitizedDownload>()(z.object({ id: ref }), 'the sanitized HAR as a download (up to 64 MiB; larger ones: export to a path)'),

  'apikeys.add': returns<ApiKeyView>()(z.object({ header: z.string().min(1).max(100), value: z.string().min(1).max(4096), name: label.optional() }), 'remember an API key by hash'),
  'apikeys.list': returns<ApiKeyView[]>()(empty, 'stored API keys (name, header, last four)'),
  'apikeys.delete': returns<{ id: string }>()(z.object({ id: ref }), 'forget an API key'),

  'jose.sign': returns<{ token: string; kid: string; alg: string }>()(
    z.object({
      key: ref,
      alg: alg.optional(),
      payloadBase64: base64.optional(),
      detached: z.boolean().optional(),
      b64: z.boolean().optional(),
      typ: z.string().max(100).optional(),
      header: z.record(z.string(), z.unknown()).optional(),
      jwt: z
        .object({
          claims: z.record(z.string(), z.unknown()).optional(),
          exp: when.optional(),
          nbf: when.optional(),
          iss: z.string().max(500).optional(),
          aud: z.union([z.string().max(500), z.array(z.string().max(500)).max(20)]).optional(),
          jti: z.string().max(200).optional(),
          iat: z.boolean().optional(),
        })
        .optional(),
    }),
    'sign a payload (JWS compact, detached, RFC 7797) or claims (JWT) with a held key',
  ),
  'jose.verify': returns<TokenCheckView>()(
    z.object({ token, key: ref.optional(), publicKeyBase64: base64.optional(), payloadBase64: base64.optional(), at: when.optional() }),
    'verify a JWS/JWT with the capture vocabulary, against a stored key or a pasted public key',
  ),
  'jose.encrypt': returns<{ token: string }>()(
    z.object({ key: ref.optional(), publicKeyBase64: base64.optional(), alg: alg.optional(), enc: alg.optional(), plaintextBase64: base64, cty: z.string().max(100).optional() }),
    'encrypt to a public key (the third party side)',
  ),
  'jose.decrypt': returns<TokenCheckView & { plaintext: BodyView | null }>()(z.object({ token, key: ref.optional() }), 'decrypt a JWE with a held key'),
  'jose.decode': returns<DecodedToken>()(z.object({ token }), 'decode any JWS/JWT/JWE without a key'),

  'ephemeral.create': returns<EphemeralView>()(z.object({ type: z.enum(['ec', 'rsa']).optional(), ttl: z.string().max(20).optional() }), 'a key pair for one encrypted response'),
  'ephemeral.decrypt': returns<{ header: Record<string, unknown>; plaintext: BodyView | null; session: EphemeralView }>()(
    z.object({ id: ref, token }),
    'decrypt the response, then destroy the private key',
  ),
  'ephemeral.list': returns<EphemeralView[]>()(empty, 'ephemeral sessions, live and destroyed'),

  'hmac.sign': returns<{ header: string; value: string; canonical: string; profile: string }>()(
    z.object({ appId: ref, method: httpMethod, uri: z.string().min(1).max(8192), bodyBase64: base64.optional(), timestamp: when.optional(), nonce: z.string().min(1).max(200).optional() }),
    'build the Authorization: X-OPG-Signature header for a request',
  ),
  'hmac.verify': returns<TokenCheckView & { canonical?: string; skewSec?: number | null }>()(
    z.object({ header: z.string().min(1).max(8192), method: httpMethod, uri: z.string().min(1).max(8192), bodyBase64: base64.optional(), now: when.optional() }),
    'check an X-OPG-Signature header',
  ),

  'agree.client': returns<{ ref: string; spec: ClientKeyDerivationSpec; expiresAt: string }>()(
    z.object({ schemes: z.array(z.enum(AGREEMENT_SCHEMES)).min(1).max(4), identifier: z.string().min(1).max(512), ttl: z.string().max(20).optional(), profile: z.enum(AGREEMENT_PROFILE_IDS).optional() }),
    'start a key agreement as the client',
  ),
  'agree.server': returns<{ ref: string; info: ServerKeyDerivationInfo }>()(
    z.object({ spec: z.string().min(2).max(65536), identifier: z.string().min(1).max(512), ttl: z.string().max(20).optional(), profile: z.enum(AGREEMENT_PROFILE_IDS).optional() }),
    'answer a client spec as the server',
  ),
  'agree.finish': returns<AgreementView>()(
    z.object({ ref, info: z.string().min(2).max(65536), profile: z.enum(AGREEMENT_PROFILE_IDS).optional() }),
    'check the server proof and keep the derived key',
  ),
  'agree.encrypt': returns<{ sealed: string }>()(z.object({ ref, plaintextBase64: base64 }), 'seal a sensitive field under the agreed key'),
  'agree.decrypt': returns<{ plaintext: string }>()(z.object({ ref, sealed: z.string().min(1).max(3_000_000) }), 'open a sealed field'),
  'agree.list': returns<AgreementView[]>()(empty, 'key agreements'),
} satisfies { [M in MethodName]: MethodSpec<z.ZodType, unknown> };

export type Contract = typeof contract;
export type Input<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type Output<M extends MethodName> = Contract[M]['output'];
export type { MethodName };
