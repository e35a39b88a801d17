import { createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { describeKeyObject } from '../keys/describe.ts';
import type { KeyType } from '../keys/types.ts';
import type { KeyDescription } from './algorithms.ts';

/**
 * Picks the key material an operation needs from what the caller passed, and checks it matches the
 * description the algorithm checks were made against (so a description cannot vouch for another key).
 */

export interface KeyMaterialInput {
  key: KeyDescription;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  secret?: Buffer | Uint8Array;
}

/** The private half (asymmetric) or the secret (HMAC, AES key wrap, dir, PBES2). */
export function privateMaterial(input: KeyMaterialInput, operation: string): KeyObject | Uint8Array {
  if (input.key.type === 'hmac') return secretOf(input);
  const { privateKey } = input;
  if (!privateKey || privateKey.type !== 'private') {
    throw new SignetError('ERR_KEY_NO_PRIVATE', `${operation} needs the private key; only the public part was given`);
  }
  checkMatches(privateKey, input.key);
  return privateKey;
}

/** The public half (derived from a private key when that is what was given) or the secret. */
export function publicMaterial(input: KeyMaterialInput, operation: string): KeyObject | Uint8Array {
  if (input.key.type === 'hmac') return secretOf(input);
  const given = input.publicKey ?? input.privateKey;
  if (!given || given.type === 'secret') {
    throw new SignetError('ERR_BAD_INPUT', `${operation} needs the ${input.key.type.toUpperCase()} public key`);
  }
  const publicKey = given.type === 'private' ? createPublicKey(given) : given;
  checkMatches(publicKey, input.key);
  return publicKey;
}

function secretOf(input: KeyMaterialInput): Uint8Array {
  const { secret } = input;
  if (!secret || secret.length === 0) throw new SignetError('ERR_BAD_INPUT', 'this operation needs the secret (none was given)');
  return new Uint8Array(secret);
}

function checkMatches(keyObject: KeyObject, description: KeyDescription): void {
  const actual = describeKeyObject(keyObject);
  if (actual.type !== description.type || (description.type === 'ec' && actual.curve !== description.curve)) {
    throw new SignetError('ERR_KEY_UNSUITABLE', `the key is ${label(actual.type, actual.curve)}, not ${label(description.type, description.curve)} as described`);
  }
}

/** Describes an asymmetric KeyObject for the algorithm checks. */
export function describeKey(keyObject: KeyObject): KeyDescription {
  const { type, curve } = describeKeyObject(keyObject);
  return curve ? { type, curve } : { type };
}

function label(type: KeyType, curve: string | undefined): string {
  return curve ? `${type.toUpperCase()} ${curve}` : type.toUpperCase();
}
