/**
 * Every method of the contract, by name. Kept apart from the schemas so the preload bridge can list
 * them without bundling a validator; `contract.ts` is checked against this list by the compiler.
 */
export const METHOD_NAMES = [
  'keystore.status',
  'keystore.init',
  'keystore.unlock',
  'keystore.lock',
  'keystore.changePassphrase',
  'settings.get',
  'settings.update',
  'keys.list',
  'keys.show',
  'keys.generate',
  'keys.import',
  'keys.importSecret',
  'keys.export',
  'keys.revoke',
  'keys.activate',
  'keys.delete',
  'certs.selfSign',
  'certs.csr',
  'audit.list',
  'audit.verify',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
