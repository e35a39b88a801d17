import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';

/**
 * The sealed backup file: `SIGNETBK` ‖ header length (u32 BE) ‖ header (JSON) ‖ segments.
 *
 * A random 256-bit file key seals the SQLite snapshot in segments of `segmentBytes` with AES-256-GCM
 * (the STREAM construction, as age does): segment i's nonce is i (11 bytes, big-endian) ‖ final flag,
 * and every segment binds the whole header as additional data. So editing the header, swapping,
 * dropping or truncating segments all fail authentication, and a reader checks each segment before
 * using it while holding only one. The file key is wrapped under a key derived from the passphrase
 * with scrypt, the parameters in the header (the keystore's own, so a backup costs what an unlock does).
 */

export const BACKUP_MAGIC = Buffer.from('SIGNETBK', 'latin1');
export const BACKUP_VERSION = 1;
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
const MIN_SEGMENT_BYTES = 4096;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const PREFIX_BYTES = BACKUP_MAGIC.length + 4;
export const TAG_BYTES = 16;
const WRAP_AAD = Buffer.from('signet:backup-file-key:v1');

export interface BackupKdfParams {
  N: number;
  r: number;
  p: number;
}

/**
 * Bounds on the scrypt cost a backup may ask for: the header is read before anything is
 * authenticated, and a file choosing N = 2^30 would otherwise take gigabytes and minutes to open.
 */
export const MAX_BACKUP_KDF: BackupKdfParams = { N: 2 ** 20, r: 16, p: 4 };
const MAX_KDF_MEMORY = 1024 * 1024 * 1024;

export interface BackupHeader {
  version: 1;
  kdf: 'scrypt';
  params: BackupKdfParams;
  salt: string;
  wrapIv: string;
  /** The file key sealed under the passphrase key, with its GCM tag appended (base64). */
  wrappedKey: string;
  segmentBytes: number;
  /** Size of the SQLite snapshot inside: with `segmentBytes` it fixes the segment count. */
  plaintextBytes: number;
  schemaVersion: number;
  createdAt: string;
}

export interface ParsedHeader {
  header: BackupHeader;
  /** The header as written: every segment authenticates exactly these bytes. */
  headerBytes: Buffer;
  /** Offset of the first segment in the file. */
  bodyOffset: number;
}

function corrupt(reason: string): SignetError {
  return new SignetError('ERR_BACKUP_CORRUPT', `not a usable Signet backup: ${reason}`);
}

export function deriveBackupKek(passphrase: string, salt: Buffer, params: BackupKdfParams): Promise<Buffer> {
  checkKdfParams(params);
  const maxmem = 128 * params.N * params.r * 2 + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem }, (error, key) => (error ? reject(corrupt('its key-derivation parameters are unusable')) : resolve(key)));
  });
}

function checkKdfParams(params: BackupKdfParams): void {
  const { N, r, p } = params;
  const integers = [N, r, p].every((value) => Number.isSafeInteger(value) && value >= 1);
  if (!integers || N < 2 || (N & (N - 1)) !== 0) throw corrupt('its scrypt parameters are not valid (N a power of two, r and p positive)');
  if (N > MAX_BACKUP_KDF.N || r > MAX_BACKUP_KDF.r || p > MAX_BACKUP_KDF.p || 128 * N * r > MAX_KDF_MEMORY) {
    throw corrupt(`its scrypt cost (N=${N}, r=${r}, p=${p}) is above what Signet opens (N ≤ 2^20, r ≤ 16, p ≤ 4)`);
  }
}

/** A new random file key, wrapped under `kek`; returns the key and the header fields that carry it. */
export function newFileKey(kek: Buffer): { fileKey: Buffer; wrapIv: string; wrappedKey: string } {
  const fileKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(WRAP_AAD);
  const wrapped = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
  return { fileKey, wrapIv: iv.toString('base64'), wrappedKey: wrapped.toString('base64') };
}

/** The file key, or ERR_BAD_PASSPHRASE: a wrong passphrase and an edited KDF header look the same. */
export function unwrapFileKey(kek: Buffer, header: BackupHeader): Buffer {
  const wrapped = Buffer.from(header.wrappedKey, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(header.wrapIv, 'base64')).setAAD(WRAP_AAD);
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(0, wrapped.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SignetError('ERR_BAD_PASSPHRASE', 'wrong passphrase for this backup (or its header was altered); nothing was changed');
  }
}

/** The file's first bytes, and the header bytes every segment authenticates. */
export function encodeHeader(header: BackupHeader): { prefix: Buffer; headerBytes: Buffer } {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  return { prefix: Buffer.concat([BACKUP_MAGIC, length, headerBytes]), headerBytes };
}

/**
 * Reads and validates the header from the first bytes of a file (at least `headerReadBytes()`, or the
 * whole file when shorter). Everything is checked for shape and bounds here; authenticity comes with
 * the first segment.
 */
export function parseHeader(prefix: Buffer, fileBytes: number): ParsedHeader {
  if (prefix.length < PREFIX_BYTES || !prefix.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) {
    throw corrupt('it does not start with the Signet backup signature');
  }
  const length = prefix.readUInt32BE(BACKUP_MAGIC.length);
  if (length === 0 || length > MAX_HEADER_BYTES) throw corrupt(`its header length (${length} bytes) is out of range`);
  if (prefix.length < PREFIX_BYTES + length) throw corrupt('the file ends inside its header');
  const headerBytes = prefix.subarray(PREFIX_BYTES, PREFIX_BYTES + length);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw corrupt('its header is not JSON');
  }
  const header = checkHeader(value);
  const bodyOffset = PREFIX_BYTES + length;
  const expected = bodyOffset + bodyBytesFor(header.plaintextBytes, header.segmentBytes);
  if (fileBytes !== expected) {
    throw corrupt(fileBytes < expected ? `it is truncated (${fileBytes} of ${expected} bytes)` : `it has ${fileBytes - expected} unexpected bytes at the end`);
  }
  return { header, headerBytes: Buffer.from(headerBytes), bodyOffset };
}

/** How many leading bytes `parseHeader` needs at most. */
export function headerReadBytes(): number {
  return PREFIX_BYTES + MAX_HEADER_BYTES;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function checkHeader(value: unknown): BackupHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt('its header is not a JSON object');
  const fields = value as Record<string, unknown>;
  if (fields.version !== BACKUP_VERSION) throw corrupt(`its format version ${JSON.stringify(fields.version)?.slice(0, 20)} is not one this Signet reads (${BACKUP_VERSION})`);
  if (fields.kdf !== 'scrypt') throw corrupt('its key derivation is not scrypt');
  const params = fields.params;
  if (typeof params !== 'object' || params === null) throw corrupt('its scrypt parameters are missing');
  const { N, r, p } = params as Record<string, unknown>;
  if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number') throw corrupt('its scrypt parameters are not numbers');
  checkKdfParams({ N, r, p });
  const text = (name: string, bytes: number): string => {
    const field = fields[name];
    if (typeof field !== 'string' || !BASE64.test(field) || Buffer.from(field, 'base64').length !== bytes) throw corrupt(`its "${name}" field is damaged`);
    return field;
  };
  const salt = text('salt', 16);
  const wrapIv = text('wrapIv', 12);
  const wrappedKey = text('wrappedKey', 32 + TAG_BYTES);
  const { segmentBytes, plaintextBytes, schemaVersion, createdAt } = fields;
  if (typeof segmentBytes !== 'number' || !Number.isSafeInteger(segmentBytes) || segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
    throw corrupt('its segment size is out of range');
  }
  if (typeof plaintextBytes !== 'number' || !Number.isSafeInteger(plaintextBytes) || plaintextBytes < 1) throw corrupt('its content size is not valid');
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) throw corrupt('its schema version is not valid');
  if (typeof createdAt !== 'string' || createdAt.length > 40 || Number.isNaN(Date.parse(createdAt))) throw corrupt('its creation time is not valid');
  return { version: BACKUP_VERSION, kdf: 'scrypt', params: { N, r, p }, salt, wrapIv, wrappedKey, segmentBytes, plaintextBytes, schemaVersion, createdAt };
}

export function segmentCount(plaintextBytes: number, segmentBytes: number): number {
  return Math.max(1, Math.ceil(plaintextBytes / segmentBytes));
}

function bodyBytesFor(plaintextBytes: number, segmentBytes: number): number {
  return plaintextBytes + segmentCount(plaintextBytes, segmentBytes) * TAG_BYTES;
}

function nonceFor(index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 5, 6);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/** Ciphertext ‖ tag of segment `index`. */
export function sealSegment(fileKey: Buffer, headerBytes: Buffer, index: number, final: boolean, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', fileKey, nonceFor(index, final)).setAAD(headerBytes);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function openSegment(fileKey: Buffer, headerBytes: Buffer, index: number, final: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw corrupt(`segment ${index + 1} is too short`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', fileKey, nonceFor(index, final)).setAAD(headerBytes);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SignetError('ERR_BACKUP_CORRUPT', `the backup was altered or damaged: segment ${index + 1} failed its integrity check (nothing was changed)`);
  }
}

/** Plaintext length of segment `index` of a snapshot of `plaintextBytes`. */
export function segmentPlainBytes(index: number, plaintextBytes: number, segmentBytes: number): number {
  return Math.min(segmentBytes, plaintextBytes - index * segmentBytes);
}
