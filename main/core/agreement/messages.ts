import { SignetError } from '../errors.ts';
import { GROUPS, type GroupId } from './groups.ts';
import { checkSchemeId, resolveAgreementProfile, type AgreementProfile, type SchemeId } from './schemes.ts';

/** `POST /key-agreement` request body (partner spec 002). Binary fields are standard Base64. */
export interface ClientKeyDerivationSpec {
  identifier: string;
  nonce: string;
  public_key: string;
  supported_schemes: SchemeId[];
}

/** The answer to it. */
export interface ServerKeyDerivationInfo {
  client_reference_id: string;
  identifier: string;
  proof: string;
  public_key: string;
  scheme: SchemeId;
}

export interface ParsedClientSpec {
  wire: ClientKeyDerivationSpec;
  identifier: Buffer;
  nonce: Buffer;
  publicKey: Buffer;
  schemes: SchemeId[];
  group: GroupId;
}

export interface ParsedServerInfo {
  wire: ServerKeyDerivationInfo;
  clientReferenceId: string;
  identifier: Buffer;
  proof: Buffer;
  publicKey: Buffer;
  scheme: SchemeId;
  group: GroupId;
}

export const LIMITS = {
  identifierBytes: { min: 1, max: 1024 },
  nonceBytes: { min: 16, max: 256 },
  clientReferenceIdChars: { min: 1, max: 256 },
  proofBytes: 32,
} as const;

const MAX_MESSAGE_CHARS = 64 * 1024;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Validates a ClientKeyDerivationSpec: every field present, Base64, schemes known, and the public
 * key valid for the group of the offered schemes (one key serves every offered scheme, so they
 * must share a group). Accepts the JSON text or the parsed value.
 */
export function parseClientSpec(json: unknown, options: { profile?: AgreementProfile | string } = {}): ParsedClientSpec {
  const profile = resolveAgreementProfile(options.profile);
  const body = objectOf(json, 'ClientKeyDerivationSpec');
  const identifier = bytesField(body, 'identifier', LIMITS.identifierBytes);
  const nonce = bytesField(body, 'nonce', LIMITS.nonceBytes);
  const publicKey = bytesField(body, 'public_key', { min: 1, max: 1024 });
  const offered = body.supported_schemes;
  if (!Array.isArray(offered) || offered.length === 0) {
    throw malformed('"supported_schemes" must be a non-empty array of scheme names');
  }
  const schemes = offered.map((scheme) => checkSchemeId(scheme));
  if (new Set(schemes).size !== schemes.length) throw malformed('"supported_schemes" lists a scheme twice');
  const groups = new Set(schemes.map((scheme) => profile.schemes[scheme].group));
  const [group] = groups;
  if (group === undefined || groups.size > 1) {
    throw malformed(`${schemes.join(' and ')} use different groups under ${profile.id} (${[...groups].join(', ')}); one public_key cannot serve them all`);
  }
  withField('public_key', () => GROUPS[group].validatePublicKey(publicKey));
  const wire: ClientKeyDerivationSpec = {
    identifier: String(body.identifier),
    nonce: String(body.nonce),
    public_key: String(body.public_key),
    supported_schemes: schemes,
  };
  return { wire, identifier, nonce, publicKey, schemes, group };
}

/**
 * Validates a ServerKeyDerivationInfo the same way; the public key is checked against `scheme`. Given the
 * schemes the client offered, a choice outside them is refused first (ERR_AGREEMENT, §4): its key would
 * otherwise be judged against a group the client never proposed, and fail as the wrong size.
 */
export function parseServerInfo(json: unknown, options: { profile?: AgreementProfile | string; offered?: readonly string[] } = {}): ParsedServerInfo {
  const profile = resolveAgreementProfile(options.profile);
  const body = objectOf(json, 'ServerKeyDerivationInfo');
  const clientReferenceId = body.client_reference_id;
  const { min, max } = LIMITS.clientReferenceIdChars;
  if (typeof clientReferenceId !== 'string' || clientReferenceId.length < min || clientReferenceId.length > max) {
    throw malformed(`"client_reference_id" must be a string of ${min} to ${max} characters`);
  }
  if (/[\u0000-\u001f\u007f]/.test(clientReferenceId)) throw malformed('"client_reference_id" contains control characters');
  const identifier = bytesField(body, 'identifier', LIMITS.identifierBytes);
  const proof = bytesField(body, 'proof', { min: LIMITS.proofBytes, max: LIMITS.proofBytes });
  const publicKey = bytesField(body, 'public_key', { min: 1, max: 1024 });
  if (body.scheme === undefined) throw malformed('"scheme" is missing');
  const scheme = checkSchemeId(body.scheme);
  if (options.offered && !options.offered.includes(scheme)) {
    throw new SignetError('ERR_AGREEMENT', `the server chose ${scheme}, which the client did not offer (${options.offered.join(', ')})`);
  }
  const { group } = profile.schemes[scheme];
  withField('public_key', () => GROUPS[group].validatePublicKey(publicKey));
  const wire: ServerKeyDerivationInfo = {
    client_reference_id: clientReferenceId,
    identifier: String(body.identifier),
    proof: String(body.proof),
    public_key: String(body.public_key),
    scheme,
  };
  return { wire, clientReferenceId, identifier, proof, publicKey, scheme, group };
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function objectOf(json: unknown, what: string): Record<string, unknown> {
  let value = json;
  if (typeof json === 'string') {
    if (json.length > MAX_MESSAGE_CHARS) throw malformed(`the ${what} is over ${MAX_MESSAGE_CHARS} characters`);
    try {
      value = JSON.parse(json);
    } catch {
      throw malformed(`the ${what} is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`the ${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function bytesField(body: Record<string, unknown>, name: string, size: { min: number; max: number }): Buffer {
  const text = body[name];
  if (text === undefined) throw malformed(`"${name}" is missing`);
  const bytes = typeof text === 'string' && STANDARD_BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
  // Canonical only (spare bits zero), so every change to the text is a change to the bytes.
  if (bytes === undefined || bytes.toString('base64') !== text) throw malformed(`"${name}" must be standard padded Base64`);
  if (bytes.length < size.min || bytes.length > size.max) {
    const range = size.min === size.max ? `${size.min}` : `${size.min} to ${size.max}`;
    throw malformed(`"${name}" must decode to ${range} bytes; it has ${bytes.length}`);
  }
  return bytes;
}

function withField(name: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof SignetError) throw malformed(`"${name}": ${error.message}`);
    throw error;
  }
}

function malformed(reason: string): SignetError {
  return new SignetError('ERR_AGREEMENT_MALFORMED', `key agreement: ${reason}`);
}
