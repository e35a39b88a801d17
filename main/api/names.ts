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
  'keystore.backup',
  'keystore.restore',
  'settings.get',
  'settings.update',
  'keys.list',
  'keys.show',
  'keys.generate',
  'keys.generateJob',
  'keys.import',
  'keys.importSecret',
  'keys.export',
  'keys.revoke',
  'keys.renew',
  'keys.activate',
  'keys.delete',
  'certs.selfSign',
  'certs.csr',
  'audit.list',
  'audit.verify',
  'audit.deletedKeys',
  'jobs.get',
  'jobs.cancel',
  'jobs.list',
  'notifications.run',
  'notifications.due',
  'notifications.list',
  'notifications.unreadCount',
  'notifications.markRead',
  'notifications.config',
  'notifications.configure',
  'notifications.exportWebhookSecret',
  'notifications.test',
  'captures.verify',
  'captures.import',
  'captures.importJob',
  'captures.list',
  'captures.get',
  'captures.exchanges',
  'captures.exchange',
  'captures.delete',
  'captures.exportSanitized',
  'captures.exportArtifact',
  'apikeys.add',
  'apikeys.list',
  'apikeys.delete',
  'jose.sign',
  'jose.verify',
  'jose.encrypt',
  'jose.decrypt',
  'jose.decode',
  'ephemeral.create',
  'ephemeral.decrypt',
  'ephemeral.list',
  'hmac.sign',
  'hmac.verify',
  'agree.client',
  'agree.server',
  'agree.finish',
  'agree.encrypt',
  'agree.decrypt',
  'agree.list',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * Reads, and work whose result is all it leaves (a signature, a verdict, a decryption). Those that
 * open a sealed secret ask the session for the master key themselves (a private export, which is
 * audited, among them). Listing ephemeral sessions is not one: it destroys those whose TTL has passed.
 */
export const READS: ReadonlySet<MethodName> = new Set<MethodName>([
  'keystore.status',
  'settings.get',
  'keys.list',
  'keys.show',
  'keys.export',
  'audit.list',
  'audit.verify',
  'audit.deletedKeys',
  'jobs.get',
  'jobs.list',
  'notifications.due',
  'notifications.list',
  'notifications.unreadCount',
  'notifications.config',
  'captures.verify',
  'captures.list',
  'captures.get',
  'captures.exchanges',
  'captures.exchange',
  'apikeys.list',
  'jose.sign',
  'jose.verify',
  'jose.encrypt',
  'jose.decrypt',
  'jose.decode',
  'hmac.sign',
  'hmac.verify',
  'agree.encrypt',
  'agree.decrypt',
  'agree.list',
]);

/**
 * What a locked keystore still answers. Dispatch refuses every other method with ERR_LOCKED, so a
 * locked console, or a CLI run without the passphrase, changes nothing the keystore holds or records,
 * but for the notices and reminders the scheduler records (notifications.run, below).
 */
export const WORKS_LOCKED: ReadonlySet<MethodName> = new Set<MethodName>([
  ...READS,
  // Unlocking and locking, and the changes given the passphrase in the call, which set or check it there.
  'keystore.unlock',
  'keystore.lock',
  'keystore.init',
  'keystore.changePassphrase',
  'keystore.backup',
  'keystore.restore',
  // Stores nothing: it stops work (locking cancels every job anyway).
  'jobs.cancel',
  // The scheduler: reminders go out from cron and while the console is locked. Once channel
  // credentials are stored it asks for the master key itself (see runNotifications).
  'notifications.run',
]);
