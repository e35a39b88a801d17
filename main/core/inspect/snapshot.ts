import { createHmac, type KeyObject } from 'node:crypto';
import { keyLookup, type KeyFacts, type KeyResolver, type ResolvedKey } from './resolver.ts';

/**
 * The keystore as a worker thread sees it: plain data and KeyObjects, which cross threads by
 * structured clone. Public keys always; HMAC secrets (as secret KeyObjects) only while the keystore is
 * unlocked, since HS256 and X-OPG-Signature checks need them; private keys never (JWEs are opened by
 * the thread that holds the session).
 */
export interface KeySnapshot extends KeyFacts {
  publicKey?: KeyObject;
  secret?: KeyObject;
}

/** Stored API keys: their salted hashes, and the salt as a secret KeyObject. */
export interface ApiKeySnapshot {
  salt: KeyObject;
  known: { hash: string; id: string; name: string }[];
}

export interface ResolverSnapshot {
  keys: KeySnapshot[];
  apiKeys: ApiKeySnapshot | null;
  locked: boolean;
}

function resolvedFrom(snapshot: KeySnapshot): ResolvedKey {
  const { publicKey, secret, ...described } = snapshot;
  let secretBytes: Buffer | undefined;
  return {
    ...described,
    publicKey: () => publicKey,
    privateKey: () => undefined,
    secret: () => (secretBytes ??= secret?.export()),
  };
}

/** A KeyResolver over a snapshot, answering as `keyResolver(session)` does for everything but private keys. */
export function snapshotResolver(snapshot: ResolverSnapshot): KeyResolver {
  const known = new Map((snapshot.apiKeys?.known ?? []).map((entry) => [entry.hash, { id: entry.id, name: entry.name }]));
  const matches = new Map<string, { id: string; name: string } | undefined>();
  return {
    ...keyLookup(snapshot.keys.map(resolvedFrom)),
    apiKey(value) {
      const salt = snapshot.apiKeys?.salt;
      if (!salt) return undefined;
      if (!matches.has(value)) matches.set(value, known.get(createHmac('sha256', salt).update(value, 'utf8').digest('hex')));
      return matches.get(value);
    },
    locked: snapshot.locked,
  };
}
