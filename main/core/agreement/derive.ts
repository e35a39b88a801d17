import { createHash, createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { GROUPS, type GroupId } from './groups.ts';
import {
  parseClientSpec,
  parseServerInfo,
  toBase64,
  type ClientKeyDerivationSpec,
  type ParsedClientSpec,
  type ServerKeyDerivationInfo,
} from './messages.ts';
import { checkSchemeId, resolveAgreementProfile, type AgreementProfile, type SchemeId } from './schemes.ts';

/**
 * The key derivation, byte for byte as docs/key-agreement.md §3–§4 describe it. Keep the two in step:
 * the document is what a partner implements against.
 */

/** uint32 big-endian length, then the bytes: no two different field lists encode the same way. */
function lengthPrefixed(...fields: (Uint8Array | string)[]): Buffer {
  return Buffer.concat(
    fields.flatMap((field) => {
      const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : Buffer.from(field);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

export interface TranscriptFields {
  profileId: string;
  scheme: SchemeId;
  offeredSchemes: readonly SchemeId[];
  clientIdentifier: Uint8Array;
  clientNonce: Uint8Array;
  clientPublicKey: Uint8Array;
  serverIdentifier: Uint8Array;
  serverPublicKey: Uint8Array;
  clientReferenceId: string;
}

/** Everything both sides saw, including the offered list (so a stripped offer breaks the proof). */
export function transcript(fields: TranscriptFields): Buffer {
  return lengthPrefixed(
    fields.profileId,
    fields.scheme,
    fields.offeredSchemes.join(','),
    fields.clientIdentifier,
    fields.clientNonce,
    fields.clientPublicKey,
    fields.serverIdentifier,
    fields.serverPublicKey,
    fields.clientReferenceId,
  );
}

export interface DerivedKeys {
  /** AES-GCM key for the sealed fields (16 or 32 bytes). */
  encryptionKey: Buffer;
  /** The server's key confirmation, HMAC-SHA-256 over the transcript hash (32 bytes). */
  proof: Buffer;
}

/** HKDF-SHA-256 (RFC 5869) from the shared secret Z; info carries the transcript hash. */
export function deriveKeys(profile: AgreementProfile, sharedSecret: Uint8Array, fields: TranscriptFields): DerivedKeys {
  const transcriptHash = createHash('sha256').update(transcript(fields)).digest();
  const salt = lengthPrefixed(fields.clientNonce, fields.serverIdentifier);
  const expand = (label: string, length: number) =>
    Buffer.from(hkdfSync('sha256', sharedSecret, salt, Buffer.concat([Buffer.from(`${profile.id}|${label}|${fields.scheme}`, 'ascii'), transcriptHash]), length));
  const encryptionKey = expand('enc', profile.schemes[fields.scheme].aesKeyBytes);
  const proofKey = expand('proof', 32);
  const proof = createHmac('sha256', proofKey).update(Buffer.from(`${profile.id}|server-proof`, 'ascii')).update(transcriptHash).digest();
  return { encryptionKey, proof };
}

// --- the three steps -------------------------------------------------------------------------

export interface CreateClientSpecInput {
  /** One scheme, or several sharing a group (e.g. both EC schemes under signet-v1). */
  schemes: SchemeId | readonly SchemeId[];
  /** Bytes, or text taken as UTF-8. */
  identifier: Uint8Array | string;
  /** 16 random bytes when not given. */
  nonce?: Uint8Array;
  profile?: AgreementProfile | string;
}

/** The client's first step: a spec to send, and the private state to keep (sealed) until the answer. */
export function createClientSpec(input: CreateClientSpecInput): { spec: ClientKeyDerivationSpec; privateState: Buffer } {
  const profile = resolveAgreementProfile(input.profile);
  const schemes = (typeof input.schemes === 'string' ? [input.schemes] : [...input.schemes]).map((scheme) => checkSchemeId(scheme));
  const [first] = schemes;
  if (first === undefined) throw new SignetError('ERR_BAD_INPUT', 'name at least one scheme to offer');
  const group = GROUPS[profile.schemes[first].group];
  const { privateKey, publicKey } = group.generate();
  const spec: ClientKeyDerivationSpec = {
    identifier: toBase64(bytesOf(input.identifier)),
    nonce: toBase64(input.nonce ?? randomBytes(16)),
    public_key: toBase64(publicKey),
    supported_schemes: schemes,
  };
  parseClientSpec(spec, { profile }); // the same checks a peer will make: mixed groups, sizes
  const privateState = encodePrivateState({ profileId: profile.id, group: group.id, privateKey, publicKey });
  return { spec, privateState };
}

export interface AnswerClientSpecInput {
  identifier: Uint8Array | string;
  /** A UUID when not given. */
  clientReferenceId?: string;
  /** Overrides the profile's order of preference. */
  preferredSchemes?: readonly SchemeId[];
  profile?: AgreementProfile | string;
}

/** The server's step: pick a scheme, answer with a fresh key and the proof, keep the shared key. */
export function answerClientSpec(
  spec: unknown,
  input: AnswerClientSpecInput,
): { info: ServerKeyDerivationInfo; sharedKey: Buffer; scheme: SchemeId } {
  const profile = resolveAgreementProfile(input.profile);
  const client = parseClientSpec(spec, { profile });
  const preference = input.preferredSchemes ?? profile.serverPreference;
  const scheme = preference.find((candidate) => client.schemes.includes(candidate));
  if (scheme === undefined) {
    throw new SignetError('ERR_AGREEMENT', `no scheme in common: the client offers ${client.schemes.join(', ')}; accepted here: ${preference.join(', ')}`);
  }
  const group = GROUPS[client.group];
  const { privateKey, publicKey } = group.generate();
  const serverIdentifier = bytesOf(input.identifier);
  const clientReferenceId = input.clientReferenceId ?? randomUUID();
  const sharedSecret = group.sharedSecret(privateKey, client.publicKey);
  const keys = deriveKeys(profile, sharedSecret, fieldsOf(profile, client, scheme, serverIdentifier, publicKey, clientReferenceId));
  const info: ServerKeyDerivationInfo = {
    client_reference_id: clientReferenceId,
    identifier: toBase64(serverIdentifier),
    proof: toBase64(keys.proof),
    public_key: toBase64(publicKey),
    scheme,
  };
  return { info, sharedKey: keys.encryptionKey, scheme };
}

/**
 * The client's last step: check the server's answer against what was offered, derive, and verify the
 * proof in constant time. A wrong proof is an error: the key is not returned.
 */
export function finishAgreement(
  privateState: Uint8Array,
  spec: unknown,
  info: unknown,
  options: { profile?: AgreementProfile } = {},
): { sharedKey: Buffer; scheme: SchemeId; clientReferenceId: string } {
  const state = decodePrivateState(privateState);
  // A custom profile object is passed again; a named one is found from the id kept in the state.
  const profile = options.profile ?? resolveAgreementProfile(state.profileId);
  if (profile.id !== state.profileId) {
    throw new SignetError('ERR_BAD_INPUT', `this private state was made under profile ${state.profileId}, not ${profile.id}`);
  }
  const client = parseClientSpec(spec, { profile });
  if (!client.publicKey.equals(state.publicKey)) {
    throw new SignetError('ERR_AGREEMENT', 'this private state does not belong to that client spec (the public keys differ)');
  }
  const server = parseServerInfo(info, { profile, offered: client.schemes });
  if (server.group !== state.group) throw new SignetError('ERR_AGREEMENT', `the server answered in ${server.group}, but the client key is ${state.group}`);
  const sharedSecret = GROUPS[state.group].sharedSecret(state.privateKey, server.publicKey);
  const keys = deriveKeys(profile, sharedSecret, fieldsOf(profile, client, server.scheme, server.identifier, server.publicKey, server.clientReferenceId));
  if (!timingSafeEqual(keys.proof, server.proof)) throw new SignetError('ERR_AGREEMENT', 'key-agreement proof does not match');
  return { sharedKey: keys.encryptionKey, scheme: server.scheme, clientReferenceId: server.clientReferenceId };
}

function fieldsOf(
  profile: AgreementProfile,
  client: ParsedClientSpec,
  scheme: SchemeId,
  serverIdentifier: Uint8Array,
  serverPublicKey: Uint8Array,
  clientReferenceId: string,
): TranscriptFields {
  return {
    profileId: profile.id,
    scheme,
    offeredSchemes: client.schemes,
    clientIdentifier: client.identifier,
    clientNonce: client.nonce,
    clientPublicKey: client.publicKey,
    serverIdentifier,
    serverPublicKey,
    clientReferenceId,
  };
}

function bytesOf(value: Uint8Array | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.length === 0) throw new SignetError('ERR_BAD_INPUT', 'the identifier is empty');
  return bytes;
}

// --- private state ---------------------------------------------------------------------------

interface PrivateState {
  profileId: string;
  group: GroupId;
  privateKey: Buffer;
  publicKey: Buffer;
}

/** JSON as UTF-8 bytes: the caller seals these in the keystore and hands them back to finish. */
function encodePrivateState(state: PrivateState): Buffer {
  const json = { v: 1, profile: state.profileId, group: state.group, privateKey: toBase64(state.privateKey), publicKey: toBase64(state.publicKey) };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function decodePrivateState(bytes: Uint8Array): PrivateState {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new SignetError('ERR_BAD_INPUT', 'the key-agreement private state is unreadable');
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const { v, profile, group, privateKey, publicKey } = record;
  if (v !== 1 || typeof profile !== 'string' || typeof privateKey !== 'string' || typeof publicKey !== 'string' || !isGroupId(group)) {
    throw new SignetError('ERR_BAD_INPUT', 'the key-agreement private state is not version 1 of Signet\'s format');
  }
  return { profileId: profile, group, privateKey: Buffer.from(privateKey, 'base64'), publicKey: Buffer.from(publicKey, 'base64') };
}

function isGroupId(value: unknown): value is GroupId {
  return typeof value === 'string' && Object.hasOwn(GROUPS, value);
}
