import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { keyLookup, type KeyResolver, type ResolvedKey } from '../core/inspect/resolver.ts';
import type { KeySnapshot, ResolverSnapshot } from '../core/inspect/snapshot.ts';
import type { KeyRecord } from '../store/keys.ts';
import { privateKeyOf, publicKeyOf, secretOf } from './key-records.ts';
import type { Session } from './session.ts';

/** HMAC-SHA-256 of an API key under the store's random salt: equal values match, nothing reveals them. */
export function apiKeyHash(session: Session, value: string): string {
  const salt = session.apiKeys.salt(() => randomBytes(32).toString('hex'));
  return createHmac('sha256', Buffer.from(salt, 'hex')).update(value, 'utf8').digest('hex');
}

function lazy<T>(load: () => T): () => T {
  let loaded = false;
  let value: T;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value;
  };
}

/** What inspection knows of a key besides its material: names, type, lifecycle. */
function keyFacts(record: KeyRecord) {
  return {
    keyId: record.id,
    kid: record.kid,
    name: record.name,
    owner: record.owner,
    type: record.type,
    ...(record.curve && { curve: record.curve }),
    use: record.use,
    ...(record.algPinned && record.alg && { pinnedAlg: record.alg }),
    appId: record.appId,
    hasPrivate: record.privateSealed !== null,
    status: record.status,
    notBefore: record.notBefore,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
  };
}

function resolved(session: Session, record: KeyRecord): ResolvedKey {
  const unlocked = () => session.unlocked;
  return {
    ...keyFacts(record),
    publicKey: lazy((): KeyObject | undefined => (record.publicDer ? publicKeyOf(record) : undefined)),
    privateKey: lazy((): KeyObject | undefined => (record.type !== 'hmac' && record.privateSealed && unlocked() ? privateKeyOf(session, record) : undefined)),
    secret: lazy((): Buffer | undefined => (record.type === 'hmac' && unlocked() ? secretOf(session, record) : undefined)),
  };
}

/**
 * The keystore and trust store as inspection sees them, read once per inspection run. Private parts
 * and secrets are opened on first use, and only while the keystore is unlocked.
 */
export function keyResolver(session: Session): KeyResolver {
  const apiKeyMatches = new Map<string, { id: string; name: string } | undefined>();
  return {
    ...keyLookup(session.keys.list().map((record) => resolved(session, record))),
    apiKey(value) {
      // A capture repeats the same few keys thousands of times: hash each distinct value once.
      if (!apiKeyMatches.has(value)) {
        const record = session.apiKeys.byHash(apiKeyHash(session, value));
        apiKeyMatches.set(value, record && { id: record.id, name: record.name });
      }
      return apiKeyMatches.get(value);
    },
    get locked() {
      return !session.unlocked;
    },
  };
}

/**
 * What inspection worker threads get of the keystore (see core/inspect/snapshot.ts): public keys,
 * HMAC secrets only while unlocked, API keys as salted hashes; private keys stay here.
 */
export function resolverSnapshot(session: Session): ResolverSnapshot {
  const unlocked = session.unlocked;
  const keys = session.keys.list().map((record): KeySnapshot => {
    let secret: KeyObject | undefined;
    if (record.type === 'hmac' && unlocked && record.privateSealed) {
      const bytes = secretOf(session, record);
      secret = createSecretKey(bytes);
      bytes.fill(0);
    }
    return {
      ...keyFacts(record),
      ...(record.publicDer && { publicKey: publicKeyOf(record) }),
      ...(secret && { secret }),
    };
  });
  const stored = session.apiKeys.list();
  const apiKeys = stored.length === 0 ? null : { salt: createSecretKey(Buffer.from(session.apiKeys.salt(() => randomBytes(32).toString('hex')), 'hex')), known: stored.map(({ hash, id, name }) => ({ hash, id, name })) };
  return { keys, apiKeys, locked: !unlocked };
}
