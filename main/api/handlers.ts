import { listAudit, verifyAudit } from '../services/audit.ts';
import { certificateRequest, exportKey, selfSign } from '../services/key-export.ts';
import { activateKey, deleteKey, generateKey, importKeys, importSecret, listKeys, revokeKey, showKey } from '../services/keys.ts';
import { changePassphrase, initKeystore, keystoreStatus, lockKeystore, unlockKeystore } from '../services/keystore.ts';
import type { Session } from '../services/session.ts';
import { readSettings, updateSettings } from '../services/settings.ts';
import type { MethodName, Output, ParsedInput } from './contract.ts';

type Handlers = { [M in MethodName]: (session: Session, input: ParsedInput<M>) => Output<M> | Promise<Output<M>> };

const bytes = (base64: string): Buffer => Buffer.from(base64.replace(/\s+/g, ''), 'base64');

/** Each method of the contract, mapped to its use case. Inputs arrive already validated. */
export const handlers: Handlers = {
  'keystore.status': (session) => keystoreStatus(session),
  'keystore.init': (session, { passphrase }) => initKeystore(session, passphrase),
  'keystore.unlock': (session, { passphrase }) => unlockKeystore(session, passphrase),
  'keystore.lock': (session) => lockKeystore(session),
  'keystore.changePassphrase': (session, { current, next }) => changePassphrase(session, current, next),

  'settings.get': (session) => readSettings(session),
  'settings.update': (session, patch) => updateSettings(session, patch),

  'keys.list': (session, input) => listKeys(session, input),
  'keys.show': (session, { ref }) => showKey(session, ref),
  'keys.generate': (session, input) => generateKey(session, input),
  'keys.import': (session, { contentBase64, ...rest }) => importKeys(session, { ...rest, content: bytes(contentBase64) }),
  'keys.importSecret': (session, { secretBase64, ...rest }) => importSecret(session, { ...rest, secret: bytes(secretBase64) }),
  'keys.export': (session, input) => exportKey(session, input),
  'keys.revoke': (session, input) => revokeKey(session, input),
  'keys.activate': (session, { ref }) => activateKey(session, ref),
  'keys.delete': (session, { ref }) => deleteKey(session, ref),

  'certs.selfSign': (session, input) => selfSign(session, input),
  'certs.csr': (session, input) => certificateRequest(session, input),

  'audit.list': (session, input) => listAudit(session, input),
  'audit.verify': (session) => verifyAudit(session),
};
