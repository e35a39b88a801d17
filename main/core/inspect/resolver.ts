import type { KeyObject } from 'node:crypto';
import type { LifecycleDates } from '../keys/lifecycle.ts';
import type { Curve, KeyType, KeyUse } from '../keys/types.ts';

/** What inspection knows of a stored key besides its material. */
export interface KeyFacts extends LifecycleDates {
  keyId: string;
  kid: string;
  name: string;
  owner: string;
  type: KeyType;
  curve?: Curve;
  use: KeyUse | null;
  /** The only algorithm the key may be used with, when one was chosen for it (JWK "alg", --alg). */
  pinnedAlg?: string;
  appId: string | null;
  hasPrivate: boolean;
}

/**
 * A stored key as inspection uses it. Material is fetched on demand: public parts always, private
 * parts and secrets only while the keystore is unlocked (`undefined` otherwise).
 */
export interface ResolvedKey extends KeyFacts {
  publicKey(): KeyObject | undefined;
  privateKey(): KeyObject | undefined;
  secret(): Buffer | undefined;
}

/** Keys come from the keystore and trust store only, never from the message being checked. */
export interface KeyResolver {
  byKid(kid: string): ResolvedKey | undefined;
  byAppId(appId: string): ResolvedKey | undefined;
  /** Keys that may check signatures when a token names no kid. */
  verificationKeys(): ResolvedKey[];
  /** Keys whose private part (or secret) is held, for JWE without a usable kid. */
  decryptionKeys(): ResolvedKey[];
  /** A stored API key matching this header value, by hash. */
  apiKey(value: string): { id: string; name: string } | undefined;
  /** True when secrets and private keys cannot be read (keystore locked). */
  readonly locked: boolean;
}

/**
 * Lookups over the held keys, the same for the session's resolver and a worker's snapshot: by kid, by
 * AppId, and which keys may verify a kid-less token or open a JWE without a usable kid.
 */
export function keyLookup(keys: readonly ResolvedKey[]): Pick<KeyResolver, 'byKid' | 'byAppId' | 'verificationKeys' | 'decryptionKeys'> {
  const byKid = new Map(keys.map((key) => [key.kid, key]));
  const byAppId = new Map(keys.filter((key) => key.appId !== null).map((key) => [key.appId ?? '', key]));
  return {
    byKid: (kid) => byKid.get(kid),
    byAppId: (appId) => byAppId.get(appId),
    verificationKeys: () => keys.filter((key) => key.use !== 'enc' && key.type !== 'x25519'),
    decryptionKeys: () => keys.filter((key) => key.hasPrivate && key.type !== 'ed25519'),
  };
}
