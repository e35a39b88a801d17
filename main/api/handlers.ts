import type { Finding } from '../core/inspect/findings.ts';
import type { CaptureProgress } from '../services/inspection.ts';
import type { Session } from '../services/session.ts';
import type { MethodName, Output, ParsedInput } from './contract.ts';

/** What a transport may add to a call: cancellation and progress for long work (captures). */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CaptureProgress) => void;
  /**
   * `captures.verify`: each exchange's findings as they are produced (awaited when it returns a
   * promise). With it the report keeps none: its `findings` is `[]`, its count and summary are whole.
   * The CLI streams its output this way; without it, the report holds every finding.
   */
  onFindings?: (findings: Finding[]) => void | Promise<void>;
}

type Handlers = { [M in MethodName]: (session: Session, input: ParsedInput<M>, options: CallOptions) => Output<M> | Promise<Output<M>> };

// Each service module is loaded on first use, so a CLI command pays only for the code it runs
// (`signet keys list` never loads the capture, mail or key-agreement code: issue 7, start-up).
const apiKeys = () => import('../services/api-keys.ts');
const audit = () => import('../services/audit.ts');
const background = () => import('../services/background.ts');
const backup = () => import('../services/backup.ts');
const captureExport = () => import('../services/capture-export.ts');
const captures = () => import('../services/captures.ts');
const decode = () => import('../core/jose/decode.ts');
const keyExport = () => import('../services/key-export.ts');
const keyStatus = () => import('../services/key-status.ts');
const keys = () => import('../services/keys.ts');
const keyViews = () => import('../services/key-views.ts');
const keystore = () => import('../services/keystore.ts');
const notifications = () => import('../services/notifications/index.ts');
const settings = () => import('../services/settings.ts');
const agreement = () => import('../services/workbench/agreement.ts');
const ephemeral = () => import('../services/workbench/ephemeral.ts');
const hmac = () => import('../services/workbench/hmac.ts');
const workbenchJose = () => import('../services/workbench/jose.ts');

/** The desktop host's OS notifier, when it registered one for this session. */
const withOs = async (session: Session) => {
  const os = (await notifications()).osNotifierFor(session);
  return os ? { os } : {};
};

const bytes = (base64: string): Buffer => Buffer.from(base64.replace(/\s+/g, ''), 'base64');

/** Each method of the contract, mapped to its use case. Inputs arrive already validated. */
export const handlers: Handlers = {
  'keystore.status': async (session) => (await keystore()).keystoreStatus(session),
  'keystore.init': async (session, { passphrase }) => (await keystore()).initKeystore(session, passphrase),
  'keystore.unlock': async (session, { passphrase }) => (await keystore()).unlockKeystore(session, passphrase),
  'keystore.lock': async (session) => (await keystore()).lockKeystore(session),
  'keystore.changePassphrase': async (session, { current, next }) => (await keystore()).changePassphrase(session, current, next),
  'keystore.backup': async (session, input) => (await backup()).backupKeystore(session, input),
  'keystore.restore': async (session, input) => (await backup()).restoreKeystore(session, input),

  'settings.get': async (session) => (await settings()).readSettings(session),
  'settings.update': async (session, patch) => (await settings()).updateSettings(session, patch),

  'keys.list': async (session, input) => (await keyViews()).listKeys(session, input),
  'keys.show': async (session, { ref }) => (await keys()).showKey(session, ref),
  'keys.generate': async (session, input) => (await keys()).generateKey(session, input),
  'keys.generateJob': async (session, input) => (await background()).generateKeyJob(session, input),
  'keys.import': async (session, { contentBase64, path, ...rest }) => {
    const service = await keys();
    return service.importKeys(session, { ...rest, content: await service.keyFileBytes(contentBase64, path) });
  },
  'keys.importSecret': async (session, { secretBase64, secretText, encoding, ...rest }) => {
    const service = await keys();
    const secret = service.secretBytes(secretBase64, secretText, encoding);
    try {
      return service.importSecret(session, { ...rest, secret });
    } finally {
      secret.fill(0);
    }
  },
  'keys.export': async (session, input) => (await keyExport()).exportKey(session, input),
  'keys.revoke': async (session, input) => (await keyStatus()).revokeKey(session, input),
  'keys.renew': async (session, input) => (await keyStatus()).renewKey(session, input),
  'keys.activate': async (session, { ref }) => (await keyStatus()).activateKey(session, ref),
  'keys.delete': async (session, { ref }) => (await keyStatus()).deleteKey(session, ref),

  'certs.selfSign': async (session, input) => (await keyExport()).selfSign(session, input),
  'certs.csr': async (session, input) => (await keyExport()).certificateRequest(session, input),

  'audit.list': async (session, input) => (await audit()).listAudit(session, input),
  'audit.verify': async (session) => (await audit()).verifyAudit(session),
  'audit.deletedKeys': async (session) => (await audit()).deletedKeys(session),

  'jobs.get': (session, { id }) => session.jobs.get(id),
  'jobs.cancel': (session, { id }) => session.jobs.cancel(id),
  'jobs.list': (session) => session.jobs.list(),

  'notifications.run': async (session) => (await notifications()).runNotifications(session, { whenLocked: 'fail', ...(await withOs(session)) }),
  'notifications.due': async (session) => (await notifications()).notificationsDue(session),
  'notifications.list': async (session, input) => (await notifications()).listNotifications(session, input),
  'notifications.unreadCount': async (session) => (await notifications()).unreadCount(session),
  'notifications.markRead': async (session, input) => (await notifications()).markRead(session, input),
  'notifications.config': async (session) => (await notifications()).configView(session),
  'notifications.configure': async (session, patch) => (await notifications()).updateConfig(session, patch),
  'notifications.exportWebhookSecret': async (session, { owner }) => (await notifications()).exportWebhookSecret(session, owner),
  'notifications.test': async (session, input) => {
    const service = await notifications();
    return service.testChannel(session, input, service.osNotifierFor(session));
  },

  'captures.verify': async (session, input, options) => (await captures()).verifyCapture(session, { ...input, ...options }),
  'captures.import': async (session, input, options) => (await captures()).importCapture(session, { ...input, ...options }),
  'captures.importJob': async (session, input) => (await background()).importCaptureJob(session, input),
  'captures.list': async (session) => (await captures()).listCaptures(session),
  'captures.get': async (session, { id }) => (await captures()).showCapture(session, id),
  'captures.exchanges': async (session, input) => (await captures()).listExchanges(session, input),
  'captures.exchange': async (session, input) => (await captures()).showExchange(session, input),
  'captures.delete': async (session, { id }) => (await captures()).deleteCapture(session, id),
  'captures.exportSanitized': async (session, input) => (await captureExport()).exportSanitized(session, input),
  'captures.exportArtifact': async (session, input) => (await captureExport()).exportSanitizedArtifact(session, input),

  'apikeys.add': async (session, input) => (await apiKeys()).addApiKey(session, input),
  'apikeys.list': async (session) => (await apiKeys()).listApiKeys(session),
  'apikeys.delete': async (session, { id }) => (await apiKeys()).deleteApiKey(session, id),

  'jose.sign': async (session, { payloadBase64, ...input }) => (await workbenchJose()).signToken(session, { ...input, ...(payloadBase64 !== undefined && { payload: bytes(payloadBase64) }) }),
  'jose.verify': async (session, { payloadBase64, publicKeyBase64, ...input }) =>
    (await workbenchJose()).verifyToken(session, { ...input, ...(payloadBase64 !== undefined && { payload: bytes(payloadBase64) }), ...(publicKeyBase64 !== undefined && { publicKey: bytes(publicKeyBase64) }) }),
  'jose.encrypt': async (session, { publicKeyBase64, plaintextBase64, ...input }) =>
    (await workbenchJose()).encryptToken(session, { ...input, plaintext: bytes(plaintextBase64), ...(publicKeyBase64 !== undefined && { publicKey: bytes(publicKeyBase64) }) }),
  'jose.decrypt': async (session, input) => (await workbenchJose()).decryptToken(session, input),
  'jose.decode': async (session, { token }) => {
    // Bounded as verify and decrypt are: a decoded token is printed whole.
    (await import('../services/limits.ts')).checkLimit(session, 'tokenChars', token.length, 'the token');
    return (await decode()).decodeToken(token);
  },

  'ephemeral.create': async (session, input) => (await ephemeral()).createEphemeral(session, input),
  'ephemeral.decrypt': async (session, input) => (await ephemeral()).decryptEphemeral(session, input),
  'ephemeral.list': async (session) => (await ephemeral()).listEphemeral(session),

  'hmac.sign': async (session, { bodyBase64, ...input }) => (await hmac()).signHmacRequest(session, { ...input, ...(bodyBase64 !== undefined && { body: bytes(bodyBase64) }) }),
  'hmac.verify': async (session, { bodyBase64, ...input }) => (await hmac()).verifyHmacRequest(session, { ...input, ...(bodyBase64 !== undefined && { body: bytes(bodyBase64) }) }),

  'agree.client': async (session, input) => (await agreement()).agreeAsClient(session, input),
  'agree.server': async (session, input) => (await agreement()).agreeAsServer(session, input),
  'agree.finish': async (session, input) => (await agreement()).finishAsClient(session, input),
  'agree.encrypt': async (session, { ref, plaintextBase64 }) => (await agreement()).agreementEncrypt(session, { ref, plaintext: bytes(plaintextBase64) }),
  'agree.decrypt': async (session, input) => (await agreement()).agreementDecrypt(session, input),
  'agree.list': async (session) => (await agreement()).listAgreements(session),
};
