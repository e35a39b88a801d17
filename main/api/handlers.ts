import { addApiKey, deleteApiKey, listApiKeys } from '../services/api-keys.ts';
import { listAudit, verifyAudit } from '../services/audit.ts';
import { generateKeyJob, importCaptureJob } from '../services/background.ts';
import { exportSanitized, exportSanitizedArtifact } from '../services/capture-export.ts';
import { deleteCapture, importCapture, listCaptures, listExchanges, showCapture, showExchange, verifyCapture } from '../services/captures.ts';
import { certificateRequest, exportKey, selfSign } from '../services/key-export.ts';
import { activateKey, deleteKey, generateKey, importKeys, keyFileBytes, importSecret, listKeys, revokeKey, showKey } from '../services/keys.ts';
import { changePassphrase, initKeystore, keystoreStatus, lockKeystore, unlockKeystore } from '../services/keystore.ts';
import type { CaptureProgress } from '../services/inspection.ts';
import { decodeToken } from '../core/jose/decode.ts';
import { agreeAsClient, agreeAsServer, agreementDecrypt, agreementEncrypt, finishAsClient, listAgreements } from '../services/workbench/agreement.ts';
import { createEphemeral, decryptEphemeral, listEphemeral } from '../services/workbench/ephemeral.ts';
import { signHmacRequest, verifyHmacRequest } from '../services/workbench/hmac.ts';
import { decryptToken, encryptToken, signToken, verifyToken } from '../services/workbench/jose.ts';
import type { Session } from '../services/session.ts';
import { backupKeystore, restoreKeystore } from '../services/backup.ts';
import {
  configView,
  exportWebhookSecret,
  listNotifications,
  markRead,
  osNotifierFor,
  runNotifications,
  testChannel,
  unreadCount,
  updateConfig,
} from '../services/notifications/index.ts';
import { readSettings, updateSettings } from '../services/settings.ts';
import type { MethodName, Output, ParsedInput } from './contract.ts';

/** What a transport may add to a call: cancellation and progress for long work (captures). */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CaptureProgress) => void;
}

type Handlers = { [M in MethodName]: (session: Session, input: ParsedInput<M>, options: CallOptions) => Output<M> | Promise<Output<M>> };

/** The desktop host's OS notifier, when it registered one for this session. */
const withOs = (session: Session) => {
  const os = osNotifierFor(session);
  return os ? { os } : {};
};

const bytes = (base64: string): Buffer => Buffer.from(base64.replace(/\s+/g, ''), 'base64');

/** Each method of the contract, mapped to its use case. Inputs arrive already validated. */
export const handlers: Handlers = {
  'keystore.status': (session) => keystoreStatus(session),
  'keystore.init': (session, { passphrase }) => initKeystore(session, passphrase),
  'keystore.unlock': (session, { passphrase }) => unlockKeystore(session, passphrase),
  'keystore.lock': (session) => lockKeystore(session),
  'keystore.changePassphrase': (session, { current, next }) => changePassphrase(session, current, next),
  'keystore.backup': (session, input) => backupKeystore(session, input),
  'keystore.restore': (session, input) => restoreKeystore(session, input),

  'settings.get': (session) => readSettings(session),
  'settings.update': (session, patch) => updateSettings(session, patch),

  'keys.list': (session, input) => listKeys(session, input),
  'keys.show': (session, { ref }) => showKey(session, ref),
  'keys.generate': (session, input) => generateKey(session, input),
  'keys.generateJob': (session, input) => generateKeyJob(session, input),
  'keys.import': async (session, { contentBase64, path, ...rest }) => importKeys(session, { ...rest, content: await keyFileBytes(contentBase64, path) }),
  'keys.importSecret': (session, { secretBase64, ...rest }) => importSecret(session, { ...rest, secret: bytes(secretBase64) }),
  'keys.export': (session, input) => exportKey(session, input),
  'keys.revoke': (session, input) => revokeKey(session, input),
  'keys.activate': (session, { ref }) => activateKey(session, ref),
  'keys.delete': (session, { ref }) => deleteKey(session, ref),

  'certs.selfSign': (session, input) => selfSign(session, input),
  'certs.csr': (session, input) => certificateRequest(session, input),

  'audit.list': (session, input) => listAudit(session, input),
  'audit.verify': (session) => verifyAudit(session),

  'jobs.get': (session, { id }) => session.jobs.get(id),
  'jobs.cancel': (session, { id }) => session.jobs.cancel(id),
  'jobs.list': (session) => session.jobs.list(),

  'notifications.run': (session) => runNotifications(session, { whenLocked: 'fail', ...withOs(session) }),
  'notifications.list': (session, input) => listNotifications(session, input),
  'notifications.unreadCount': (session) => unreadCount(session),
  'notifications.markRead': (session, input) => markRead(session, input),
  'notifications.config': (session) => configView(session),
  'notifications.configure': (session, patch) => updateConfig(session, patch),
  'notifications.exportWebhookSecret': (session, { owner }) => exportWebhookSecret(session, owner),
  'notifications.test': (session, input) => testChannel(session, input, osNotifierFor(session)),

  'captures.verify': (session, input, options) => verifyCapture(session, { ...input, ...options }),
  'captures.import': (session, input, options) => importCapture(session, { ...input, ...options }),
  'captures.importJob': (session, input) => importCaptureJob(session, input),
  'captures.list': (session) => listCaptures(session),
  'captures.get': (session, { id }) => showCapture(session, id),
  'captures.exchanges': (session, input) => listExchanges(session, input),
  'captures.exchange': (session, input) => showExchange(session, input),
  'captures.delete': (session, { id }) => deleteCapture(session, id),
  'captures.exportSanitized': (session, input) => exportSanitized(session, input),
  'captures.exportArtifact': (session, input) => exportSanitizedArtifact(session, input),

  'apikeys.add': (session, input) => addApiKey(session, input),
  'apikeys.list': (session) => listApiKeys(session),
  'apikeys.delete': (session, { id }) => deleteApiKey(session, id),

  'jose.sign': (session, { payloadBase64, ...input }) => signToken(session, { ...input, ...(payloadBase64 !== undefined && { payload: bytes(payloadBase64) }) }),
  'jose.verify': (session, { payloadBase64, publicKeyBase64, ...input }) =>
    verifyToken(session, { ...input, ...(payloadBase64 !== undefined && { payload: bytes(payloadBase64) }), ...(publicKeyBase64 !== undefined && { publicKey: bytes(publicKeyBase64) }) }),
  'jose.encrypt': (session, { publicKeyBase64, plaintextBase64, ...input }) =>
    encryptToken(session, { ...input, plaintext: bytes(plaintextBase64), ...(publicKeyBase64 !== undefined && { publicKey: bytes(publicKeyBase64) }) }),
  'jose.decrypt': (session, input) => decryptToken(session, input),
  'jose.decode': (_session, { token }) => decodeToken(token),

  'ephemeral.create': (session, input) => createEphemeral(session, input),
  'ephemeral.decrypt': (session, input) => decryptEphemeral(session, input),
  'ephemeral.list': (session) => listEphemeral(session),

  'hmac.sign': (session, { bodyBase64, ...input }) => signHmacRequest(session, { ...input, ...(bodyBase64 !== undefined && { body: bytes(bodyBase64) }) }),
  'hmac.verify': (session, { bodyBase64, ...input }) => verifyHmacRequest(session, { ...input, ...(bodyBase64 !== undefined && { body: bytes(bodyBase64) }) }),

  'agree.client': (session, input) => agreeAsClient(session, input),
  'agree.server': (session, input) => agreeAsServer(session, input),
  'agree.finish': (session, input) => finishAsClient(session, input),
  'agree.encrypt': (session, { ref, plaintextBase64 }) => agreementEncrypt(session, { ref, plaintext: bytes(plaintextBase64) }),
  'agree.decrypt': (session, input) => agreementDecrypt(session, input),
  'agree.list': (session) => listAgreements(session),
};
