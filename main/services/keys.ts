import { SignetError } from '../core/errors.ts';
import { MAX_KEY_FILE_BYTES } from '../core/keys/types.ts';
import { readFileAtMost } from './bounded-read.ts';
// Single modules, not core/keys/index.ts: every command that touches keys (`keys list` too) loads this
// file, and the index would bring the key-file parsers (pkijs: some 0.8 MB of bundle) with it.
import { checkValidityOrder, describeCertificate, selfSignCertificate } from '../core/keys/certificates.ts';
import { generateAsymmetric, generateSecret } from '../core/keys/generate.ts';
import { decodeSecretText, type SecretEncoding } from '../core/keys/secret-text.ts';
import { usableFrom } from '../core/keys/lifecycle.ts';
import type { AsymmetricKey, CertificateInfo, Curve, KeyType, KeyUse, ParsedKey, ParsedKeyFile } from '../core/keys/types.ts';
import { parseExpiry } from '../core/time.ts';
import type { KeyRecord } from '../store/keys.ts';
import { attachCertificate, heldKeyFor } from './key-certificates.ts';
import {
  newKeyId,
  resolveKey,
  sealPrivateKey,
  sealSecret,
  thumbprintOf,
  toAuditView,
  toKeyView,
  publicKeyOf,
} from './key-records.ts';
import { exportPublicKey } from '../core/keys/export.ts';
import type { Session } from './session.ts';
import { checkLimit } from './limits.ts';
import type { ImportedKeyView, KeyDetail, KeyView } from './views.ts';
import { auditSummary, baseRecord, checkedAppId, checkExpiryAfter, checkKidFree, chooseAlg, defaultUse, expiryFor, type LabelInput } from './key-policy.ts';

export interface GenerateInput extends LabelInput {
  type: KeyType;
  bits?: number;
  curve?: Curve;
  use?: KeyUse;
  alg?: string;
  kid?: string;
  expires?: string;
  notBefore?: string;
  pending?: boolean;
  appId?: string;
  certificate?: { subject: string; sans?: string[] };
}

/** An option that does not apply to the type asked for is refused, not quietly ignored. */
function checkOptionsFit(input: GenerateInput): void {
  const type = input.type;
  if (input.bits !== undefined && type !== 'rsa' && type !== 'hmac') throw new SignetError('ERR_BAD_INPUT', `--bits is for RSA keys and HMAC secrets, not ${type}`);
  if (input.bits !== undefined && input.bits <= 0) throw new SignetError('ERR_BAD_INPUT', `--bits ${input.bits} is not a key size`);
  if (input.curve !== undefined && type !== 'ec') throw new SignetError('ERR_BAD_INPUT', `--curve is for EC keys; ${type} has a fixed curve or none`);
  if (input.certificate && type === 'hmac') throw new SignetError('ERR_BAD_INPUT', 'an HMAC secret has no public key to certify: drop --cert');
  if (input.certificate && type === 'x25519') throw new SignetError('ERR_BAD_INPUT', 'an X25519 key cannot sign its own certificate: drop --cert');
}

export async function generateKey(session: Session, input: GenerateInput, signal?: AbortSignal): Promise<KeyView> {
  const now = session.clock();
  const notBefore = input.notBefore ? parseExpiry(input.notBefore, now) : now;
  const expiresAt = expiryFor(session, input.type, input.expires, notBefore);
  checkExpiryAfter(notBefore, expiresAt);
  checkOptionsFit(input);
  const id = newKeyId();
  const use = input.use ?? defaultUse(input.type);

  let record: KeyRecord;
  if (input.type === 'hmac') {
    const appId = checkedAppId(input.appId);
    const kid = input.kid ?? appId;
    checkKidFree(session, kid, appId);
    const secret = generateSecret(input.bits ?? 256);
    record = {
      ...baseRecord(id, now, input, `HMAC ${appId}`),
      kid, type: 'hmac', size: secret.length * 8, curve: null, use: 'sig', ...chooseAlg('hmac', null, 'sig', input.alg),
      status: input.pending ? 'pending' : 'active', source: 'generated', appId, thumbprint: null,
      publicDer: null, privateSealed: sealSecret(session, id, secret), certificateDer: null, chain: [],
      notBefore, expiresAt,
    };
    secret.fill(0);
  } else {
    if (input.appId) throw new SignetError('ERR_BAD_INPUT', '--app-id is for HMAC secrets only');
    const key = await generateAsymmetric({ type: input.type, ...(input.bits && { bits: input.bits }), ...(input.curve && { curve: input.curve }) });
    const thumbprint = thumbprintOf(key.publicKey);
    const kid = input.kid ?? thumbprint;
    checkKidFree(session, kid);
    const certificateDer = input.certificate
      ? await selfSignCertificate({ key, use, subject: input.certificate.subject, ...(input.certificate.sans && { sans: input.certificate.sans }), notBefore, notAfter: expiresAt })
      : null;
    record = {
      ...baseRecord(id, now, input, `${input.type.toUpperCase()} ${key.size ?? key.curve ?? ''}`.trim()),
      kid, type: key.type, size: key.size ?? null, curve: key.curve ?? null, use, ...chooseAlg(key.type, key.curve ?? null, use, input.alg),
      status: input.pending ? 'pending' : 'active', source: 'generated', appId: null, thumbprint,
      publicDer: key.publicKey.export({ format: 'der', type: 'spki' }), privateSealed: sealPrivateKey(session, id, privateOf(key)),
      certificateDer, chain: [], notBefore, expiresAt,
    };
  }
  if (signal?.aborted) throw new SignetError('ERR_CANCELLED', 'key generation was cancelled: nothing was stored');
  session.transaction(() => {
    checkKidFree(session, record.kid, record.appId);
    session.keys.insert(record);
    session.audit.append('key.created', id, auditSummary(record), now);
  });
  return toKeyView(session, record, now);
}

function privateOf(key: AsymmetricKey) {
  if (!key.privateKey) throw new SignetError('ERR_INTERNAL', 'generated key without private half');
  return key.privateKey;
}

/** A key file's bytes: given directly, or read from a path on this machine (menu, drag-and-drop). */
export async function keyFileBytes(contentBase64: string | undefined, path: string | undefined): Promise<Buffer> {
  if ((contentBase64 === undefined) === (path === undefined)) throw new SignetError('ERR_BAD_INPUT', 'give the key file as content or as a path, not both');
  if (contentBase64 !== undefined) return Buffer.from(contentBase64.replace(/\s+/g, ''), 'base64');
  return readFileAtMost(path ?? '', MAX_KEY_FILE_BYTES, `key file ${path}`);
}

export interface ImportInput extends LabelInput {
  content: Buffer;
  password?: string;
  kid?: string;
  expires?: string;
  use?: KeyUse;
  alg?: string;
}

/**
 * Imports every key in a file (PEM, DER, JWK, JWKS, PKCS#12), all or none. A public-only key becomes a
 * trust-store entry (a partner's, an auth service's, a callback signer's verification key). A certificate
 * for a key already held (issued from its CSR, alone, with its chain, or in a bundle with the key) is
 * attached to that key instead.
 */
export async function importKeys(session: Session, input: ImportInput): Promise<ImportedKeyView[]> {
  const now = session.clock();
  checkLimit(session, 'keyFileBytes', input.content.length, 'the key file');
  // Loaded here, on the one path that reads key files (see the imports above).
  const { parseKeyFile } = await import('../core/keys/formats.ts');
  const parsed = await parseKeyFile(input.content, input.password === undefined ? {} : { password: input.password });
  const total = parsed.keys.length + parsed.secrets.length;
  if (total === 0) throw new SignetError('ERR_KEY_FORMAT', 'the file holds no key');
  checkLimit(session, 'keysPerFile', total, 'the key file');
  if (input.kid && total > 1) throw new SignetError('ERR_BAD_INPUT', `--kid names one key, but the file holds ${total}`);
  if (parsed.secrets.length > 0) {
    if (parsed.keys.length > 0) throw new SignetError('ERR_BAD_INPUT', 'the file holds symmetric (oct) and asymmetric keys together: import them as two files');
    if (input.use === 'enc') throw new SignetError('ERR_BAD_INPUT', 'a symmetric JWK is kept as an HMAC secret, for signatures only');
    return importJwkSecrets(session, parsed, input, now);
  }

  const attachments = parsed.keys.flatMap((key) => {
    const held = key.certificates.length > 0 ? heldKeyFor(session, thumbprintOf(key.publicKey)) : undefined;
    return held ? [{ key, held }] : [];
  });
  const [attached] = attachments;
  if (attached) checkNoNewKeyOptions(input, attached.held);
  const newKeys = parsed.keys.filter((key) => !attachments.some((attachment) => attachment.key === key));
  // Several keys under one given name are numbered; without one, each is named by its own kid or subject.
  const records = newKeys.map((key, index) => importedRecord(session, key, input, now, total > 1 && input.name ? `${input.name} ${index + 1}` : undefined));
  const seen = new Set<string>();
  for (const record of records) {
    if (seen.has(record.kid)) throw new SignetError('ERR_KEY_EXISTS', `the file holds two keys with kid "${record.kid}"`);
    seen.add(record.kid);
  }
  session.transaction(() => {
    for (const { key, held } of attachments) attachCertificate(session, resolveKey(session, held.id), key, now);
    for (const record of records) {
      checkKidFree(session, record.kid);
      session.keys.insert(record);
      session.audit.append('key.imported', record.id, { ...auditSummary(record), format: parsed.format }, now);
    }
  });
  return [...attachments.map(({ held }): ImportedKeyView => ({ ...toKeyView(session, resolveKey(session, held.id), now), certificateAttached: true })), ...records.map((record) => toKeyView(session, record, now))];
}

/** The options that would describe a new key, by what they set: the console's and the CLI's words alike. */
const NEW_KEY_FIELDS = { name: 'name', owner: 'owner', environment: 'environment', kid: 'kid', expires: 'expiry', use: 'use', alg: 'algorithm' } as const;

/**
 * A certificate attached to a held key leaves its labels, use, algorithm and expiry as they are: options
 * that would change them are refused, not ignored (one that says what the key already has changes nothing).
 */
function checkNoNewKeyOptions(input: ImportInput, held: KeyRecord): void {
  const heldValue = { name: held.name, owner: held.owner, environment: held.environment, kid: held.kid, expires: undefined, use: held.use, alg: held.alg };
  const given = (Object.keys(NEW_KEY_FIELDS) as (keyof typeof NEW_KEY_FIELDS)[])
    .filter((option) => input[option] !== undefined && input[option] !== heldValue[option])
    .map((option) => NEW_KEY_FIELDS[option]);
  if (given.length === 0) return;
  throw new SignetError(
    'ERR_BAD_INPUT',
    `the certificate is for key ${held.id} ("${held.name}"), which keeps its own ${given.join(', ')}: leave ${given.length === 1 ? 'it' : 'them'} out (to change its expiry: Keys › Renew; signet keys renew ${held.id} --expires …)`,
  );
}

function importedRecord(session: Session, key: ParsedKey, input: ImportInput, now: Date, numberedName: string | undefined): KeyRecord {
  const id = newKeyId();
  const thumbprint = thumbprintOf(key.publicKey);
  const [leaf, ...chain] = key.certificates;
  const certificate = leaf ? describeCertificate(leaf) : undefined;
  if (certificate) checkValidityOrder(certificate);
  const notBefore = certificate ? new Date(certificate.notBefore) : null;
  const expiresAt = input.expires ? importedExpiry(input.expires, usableFrom({ notBefore }, now), now, certificate) : certificate ? new Date(certificate.notAfter) : null;
  const use = input.use ?? key.use ?? defaultUse(key.type);
  const alg = chooseAlg(key.type, key.curve ?? null, use, input.alg ?? key.alg);
  const labels = { ...input, ...(numberedName && { name: numberedName }) };
  return {
    ...baseRecord(id, now, labels, key.friendlyName ?? certificate?.subject ?? `${key.type.toUpperCase()} ${key.kid ?? thumbprint.slice(0, 8)}`),
    kid: input.kid ?? key.kid ?? thumbprint,
    type: key.type, size: key.size ?? null, curve: key.curve ?? null, use, ...alg,
    status: 'active', source: 'imported', appId: null, thumbprint,
    publicDer: key.publicKey.export({ format: 'der', type: 'spki' }),
    privateSealed: key.privateKey ? sealPrivateKey(session, id, key.privateKey) : null,
    certificateDer: leaf ?? null, chain, notBefore, expiresAt,
  };
}

/**
 * An expiry given for an imported key: after its start, as for a generated key, and not after its
 * certificate's end: the key could not be used past it, and its reminders would announce the wrong day.
 */
function importedExpiry(requested: string, from: Date, now: Date, certificate: CertificateInfo | undefined): Date {
  const expiresAt = parseExpiry(requested, now);
  checkExpiryAfter(from, expiresAt);
  if (certificate && expiresAt > new Date(certificate.notAfter)) {
    throw new SignetError(
      'ERR_BAD_INPUT',
      `the expiry ${expiresAt.toISOString()} is after the end of the key's certificate (${certificate.notAfter}): a key is not used past its certificate; leave the expiry out to take the certificate's`,
    );
  }
  return expiresAt;
}

/**
 * An HMAC secret's bytes: given as such (base64), or as the text the partner issued with how it is
 * written, decoded here once for the CLI and the console alike.
 */
export function secretBytes(secretBase64: string | undefined, secretText: string | undefined, encoding: SecretEncoding | undefined): Buffer {
  if (secretText !== undefined && secretBase64 === undefined) return decodeSecretText(secretText, encoding ?? 'text');
  if (secretBase64 === undefined || secretText !== undefined) throw new SignetError('ERR_BAD_INPUT', 'give the secret one way: as secretBase64, or as secretText with its encoding');
  if (encoding !== undefined) throw new SignetError('ERR_BAD_INPUT', 'encoding goes with secretText: secretBase64 is the bytes themselves');
  return Buffer.from(secretBase64.replace(/\s+/g, ''), 'base64');
}

export interface ImportSecretInput extends LabelInput {
  appId: string;
  secret: Buffer;
  expires?: string;
  alg?: string;
}

/** An HMAC secret issued by a partner portal (OnePoint: AppId + secret, valid at most a year). */
export function importSecret(session: Session, input: ImportSecretInput): KeyView {
  const now = session.clock();
  const [view] = storeSecrets(session, [secretRecord(session, input, now)], now);
  if (!view) throw new SignetError('ERR_INTERNAL', 'the secret was not stored');
  return view;
}

function secretRecord(session: Session, input: ImportSecretInput, now: Date): KeyRecord {
  const appId = checkedAppId(input.appId);
  if (input.secret.length < 16) throw new SignetError('ERR_BAD_INPUT', 'the secret is shorter than 16 bytes: is it empty or cut short?');
  if (input.secret.length > 4096) throw new SignetError('ERR_TOO_LARGE', 'the secret is longer than 4096 bytes: is this the right file?');
  const expiresAt = expiryFor(session, 'hmac', input.expires, now);
  checkKidFree(session, appId, appId);
  const id = newKeyId();
  return {
    ...baseRecord(id, now, input, `HMAC ${appId}`),
    kid: appId, type: 'hmac', size: input.secret.length * 8, curve: null, use: 'sig', ...chooseAlg('hmac', null, 'sig', input.alg),
    status: 'active', source: 'imported', appId, thumbprint: null, publicDer: null,
    privateSealed: sealSecret(session, id, input.secret), certificateDer: null, chain: [], notBefore: now, expiresAt,
  };
}

/** All or none, each audited (with the file's format when they came in one). */
function storeSecrets(session: Session, records: KeyRecord[], now: Date, format?: ParsedKeyFile['format']): KeyView[] {
  session.transaction(() => {
    for (const record of records) {
      checkKidFree(session, record.kid, record.appId);
      session.keys.insert(record);
      session.audit.append('key.imported', record.id, { ...auditSummary(record), ...(format && { format }) }, now);
    }
  });
  return records.map((record) => toKeyView(session, record, now));
}

const HMAC_ONLY = 'Signet keeps symmetric keys as HMAC secrets (HS256, HS384, HS512, X-OPG-Signature) only';

/**
 * Symmetric JWKs (`oct`, RFC 7518 §6.4): HMAC secrets, each kept under its kid as its AppId. A key for
 * JWE key wrapping (A128KW, dir…, or marked so by its `use` or `key_ops`) is refused by name rather than
 * kept as an HMAC secret it is not.
 */
function importJwkSecrets(session: Session, { secrets, format }: ParsedKeyFile, input: ImportInput, now: Date): KeyView[] {
  const records = secrets.map(({ secret, kid, alg, use, keyOps }, index) => {
    const where = secrets.length > 1 ? `JWKS key #${index + 1}: ` : '';
    const appId = input.kid ?? kid;
    if (!appId) throw new SignetError('ERR_BAD_INPUT', `${where}the symmetric JWK has no "kid" to keep it under: give one (signet keys import FILE --kid K), or import its "k" as an HMAC secret in base64 (Keys › Import › HMAC secret; signet keys import-secret --encoding base64)`);
    const chosenAlg = input.alg ?? alg;
    if (chosenAlg !== undefined && !/^HS(256|384|512)$/.test(chosenAlg)) {
      throw new SignetError('ERR_ALG_NOT_ALLOWED', `${where}the symmetric JWK is for ${chosenAlg}: ${HMAC_ONLY}`);
    }
    // RFC 7517 §4.2, §4.3: a key marked for encryption or wrapping must not also sign.
    if (use !== undefined && use !== 'sig') throw new SignetError('ERR_KEY_UNSUITABLE', `${where}the symmetric JWK is for use "${use}": ${HMAC_ONLY}`);
    if (keyOps && !keyOps.some((operation) => operation === 'sign' || operation === 'verify')) {
      throw new SignetError('ERR_KEY_UNSUITABLE', `${where}the symmetric JWK is for ${keyOps.join(', ') || 'no operation'} (its key_ops), not sign or verify: ${HMAC_ONLY}`);
    }
    const name = input.name && secrets.length > 1 ? `${input.name} ${index + 1}` : input.name;
    return secretRecord(session, { ...input, ...(name && { name }), appId, secret, ...(chosenAlg && { alg: chosenAlg }) }, now);
  });
  const kids = new Set(records.map((record) => record.kid));
  if (kids.size < records.length) throw new SignetError('ERR_KEY_EXISTS', 'the file holds two symmetric keys with the same kid');
  return storeSecrets(session, records, now, format);
}

export function showKey(session: Session, ref: string): KeyDetail {
  const record = resolveKey(session, ref);
  const publicKey = record.publicDer ? publicKeyOf(record) : null;
  const jwkMeta = { kid: record.kid, ...(record.alg && { alg: record.alg }), ...(record.use && { use: record.use }) };
  return {
    ...toKeyView(session, record),
    publicJwk: publicKey ? (JSON.parse(exportPublicKey(publicKey, 'jwk', jwkMeta).toString('utf8')) as Record<string, unknown>) : null,
    publicPem: publicKey ? exportPublicKey(publicKey, 'pem', jwkMeta).toString('utf8') : null,
    chain: record.chain.map((der) => describeCertificate(der)),
    audit: session.audit.list({ keyId: record.id, limit: 200 }).map(toAuditView),
  };
}
