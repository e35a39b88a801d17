import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { SignetError } from '../errors.ts';

/** What a DER structure is, told apart by its shape (no trial-and-error through parsers). */
export type DerKind =
  | 'pkcs12'
  | 'certificate'
  | 'csr'
  | 'spki'
  | 'pkcs8'
  | 'encrypted-pkcs8'
  | 'pkcs1-private'
  | 'pkcs1-public'
  | 'sec1';

const TAG = { integer: 2, bitString: 3, octetString: 4, oid: 6, sequence: 16, set: 17 } as const;

/**
 * Decodes exactly one DER structure. asn1js bounds depth and node count, so hostile input cannot
 * exhaust the stack; trailing bytes are refused because they usually mean two files were glued.
 */
export function decodeDer(bytes: Uint8Array, what: string): asn1js.BaseBlock {
  let decoded: ReturnType<typeof asn1js.fromBER>;
  try {
    decoded = asn1js.fromBER(bytes);
  } catch {
    // asn1js throws (rather than reporting) on some damaged values, e.g. a GeneralizedTime that is not a time.
    throw new SignetError('ERR_KEY_FORMAT', `truncated or damaged DER in ${what}`);
  }
  if (decoded.offset === -1) throw new SignetError('ERR_KEY_FORMAT', `truncated or damaged DER in ${what}`);
  if (decoded.offset !== bytes.length) throw new SignetError('ERR_KEY_FORMAT', `unexpected bytes after the DER structure in ${what}`);
  return decoded.result;
}

function children(block: asn1js.BaseBlock | undefined): asn1js.BaseBlock[] {
  if (block instanceof asn1js.Constructed) return block.valueBlock.value;
  return [];
}

function isUniversal(block: asn1js.BaseBlock | undefined, tagNumber: number): boolean {
  return block !== undefined && block.idBlock.tagClass === 1 && block.idBlock.tagNumber === tagNumber;
}

const isSequence = (block: asn1js.BaseBlock | undefined): boolean => isUniversal(block, TAG.sequence);
const isInteger = (block: asn1js.BaseBlock | undefined): block is asn1js.Integer => block instanceof asn1js.Integer;
const isBitString = (block: asn1js.BaseBlock | undefined): boolean => isUniversal(block, TAG.bitString);
const isOctetString = (block: asn1js.BaseBlock | undefined): boolean => isUniversal(block, TAG.octetString);

function oidOf(block: asn1js.BaseBlock | undefined): string | undefined {
  return block instanceof asn1js.ObjectIdentifier ? block.getValue() : undefined;
}

function integerValue(block: asn1js.BaseBlock | undefined): bigint | undefined {
  return isInteger(block) ? block.toBigInt() : undefined;
}

export function classifyDer(bytes: Uint8Array): DerKind {
  const root = decodeDer(bytes, 'the file');
  if (!isSequence(root)) throw notRecognised();
  const items = children(root);
  const [first, second, third] = items;
  const version = integerValue(first);

  // RFC 7292 §4: PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo (PKCS#7 data/signedData), … }
  if (version === 3n && isSequence(second) && oidOf(children(second)[0])?.startsWith('1.2.840.113549.1.7.')) return 'pkcs12';
  if (items.length === 3 && isSequence(first) && isSequence(second) && isBitString(third)) {
    // A TBSCertificate starts with [0] version and has at least six fields; a CSR's info has four.
    const signed = children(first);
    const startsWithVersion = signed[0]?.idBlock.tagClass === 3 && signed[0].idBlock.tagNumber === 0;
    return startsWithVersion || signed.length >= 6 ? 'certificate' : 'csr';
  }
  if (items.length === 2 && isSequence(first) && isBitString(second)) return 'spki';
  if (items.length === 2 && isSequence(first) && isOctetString(second)) return 'encrypted-pkcs8';
  if (version !== undefined && isSequence(second) && isOctetString(third)) return 'pkcs8';
  if (version === 1n && isOctetString(second)) return 'sec1';
  if (items.every(isInteger)) {
    if (items.length >= 9) return 'pkcs1-private';
    if (items.length === 2) return 'pkcs1-public';
    if (items.length === 6) throw new SignetError('ERR_KEY_FORMAT', 'DSA keys are not supported; Signet handles RSA, EC (P-256/384/521), Ed25519 and X25519');
  }
  throw notRecognised();
}

function notRecognised(): SignetError {
  return new SignetError('ERR_KEY_FORMAT', 'DER data is not a key, certificate or PKCS#12 file');
}

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';

/**
 * Password-based key derivation runs synchronously and a file chooses its own work factor: refuse
 * absurd ones so that opening an untrusted file cannot freeze the app for minutes.
 */
export const MAX_PBE_ITERATIONS = 2_000_000;
const MAX_SCRYPT_WORK = 2n ** 22n;

/** Checks the work factor of a password-based AlgorithmIdentifier (PBES2/PBKDF2, scrypt, PBES1, PKCS#12 PBE). */
export function checkPbeCost(algorithm: asn1js.BaseBlock | undefined, what: string): void {
  const [oid, params] = children(algorithm);
  const fields = children(params);
  if (oidOf(oid) !== OID_PBES2) {
    // PBES1 and the PKCS#12 PBE schemes: SEQUENCE { salt OCTET STRING, iterations INTEGER }.
    checkIterations(integerValue(fields[1]), what);
    return;
  }
  const [kdfOid, kdfParams] = children(fields[0]);
  const kdfFields = children(kdfParams);
  if (oidOf(kdfOid) === OID_PBKDF2) {
    checkIterations(integerValue(kdfFields[1]), what);
  } else if (oidOf(kdfOid) === OID_SCRYPT) {
    const work = (integerValue(kdfFields[1]) ?? 0n) * (integerValue(kdfFields[2]) ?? 0n) * (integerValue(kdfFields[3]) ?? 0n);
    if (work > MAX_SCRYPT_WORK) throw new SignetError('ERR_KEY_FORMAT', `the scrypt cost of ${what} is too high to open safely`);
  }
}

function checkIterations(iterations: bigint | undefined, what: string): void {
  if (iterations !== undefined && iterations > BigInt(MAX_PBE_ITERATIONS)) {
    throw new SignetError('ERR_KEY_FORMAT', `${what} asks for ${iterations} key-derivation iterations; Signet opens at most ${MAX_PBE_ITERATIONS}`);
  }
}

/** Where the password of an encrypted key file goes, for the refusal of one given without it. */
export const GIVE_PASSWORD = 'give it (Keys › Import › Password, or signet keys import FILE --password-file F)';

/**
 * Decrypts a PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3). OpenSSL's errors cannot tell a wrong
 * password from a damaged file, and saying which would help a guesser, so both read "wrong password".
 */
export function decryptPkcs8(der: Buffer, password: string | undefined, what: string): KeyObject {
  checkPbeCost(children(decodeDer(der, what))[0], what);
  if (password === undefined) throw new SignetError('ERR_BAD_PASSWORD', `${what} is encrypted and needs the password it was saved with: ${GIVE_PASSWORD}`);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: password });
  } catch {
    throw new SignetError('ERR_BAD_PASSWORD', `wrong password for ${what}`);
  }
}
