// tsyringe, which @peculiar/x509 resolves its services through, throws at import without the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPublicKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { describeKeyObject, samePublicKey } from './describe.ts';
import { distinguishedName, formatDistinguishedName } from './distinguished-name.ts';
import { toPem } from './pem.ts';
import { describeSubjectAltNames, subjectAltNameExtension } from './subject-alt-names.ts';
import type { AsymmetricKey, CertificateInfo, KeyUse } from './types.ts';

// Node's WebCrypto signs; set it rather than rely on the library finding a global `crypto`.
x509.cryptoProvider.set(webcrypto);

export type CertificateUsage = 'client' | 'server' | 'signing';

export interface CertificateRequestInput {
  /** Must hold its private key: certificates and requests are signed with it. */
  key: AsymmetricKey;
  /** RFC 4514, most specific first: "CN=…,O=…". */
  subject: string;
  /** "dns:x", "email:x", "ip:x", "uri:x"; a bare value is a DNS name. */
  sans?: string[];
  /**
   * 'client' (default): digitalSignature (+ keyEncipherment for RSA) and clientAuth, as two-way TLS
   * client certificates need. 'server': the same with serverAuth. 'signing': digitalSignature and
   * nonRepudiation, no extended usage.
   */
  keyUsage?: CertificateUsage;
  /** The key's use: an EC key for 'enc' agrees on secrets (ECDH), and its certificate says keyAgreement. */
  use?: KeyUse;
}

export interface SelfSignInput extends CertificateRequestInput {
  notBefore: Date;
  notAfter: Date;
  /** Hex; random when absent. */
  serial?: string;
}

/** An X.509 v3 certificate signed by its own key (RFC 5280 §4.1). Returns DER. */
export async function selfSignCertificate(input: SelfSignInput): Promise<Buffer> {
  const signer = await signerFor(input.key);
  checkValidity(input.notBefore, input.notAfter);
  const name = distinguishedName(input.subject);
  const keyId = await keyIdentifier(signer.keys.publicKey);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex(input.serial),
    name,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    keys: signer.keys,
    signingAlgorithm: signer.algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...usageExtensions(input, signer.type),
      ...sanExtensions(input.sans),
      new x509.SubjectKeyIdentifierExtension(keyId),
      new x509.AuthorityKeyIdentifierExtension(keyId),
    ],
  });
  return Buffer.from(certificate.rawData);
}

/** A PKCS#10 certificate request (RFC 2986) carrying the wanted extensions. Returns DER. */
export async function createCsr(input: CertificateRequestInput): Promise<Buffer> {
  const signer = await signerFor(input.key);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: distinguishedName(input.subject),
    keys: signer.keys,
    signingAlgorithm: signer.algorithm,
    extensions: [...usageExtensions(input, signer.type), ...sanExtensions(input.sans)],
  });
  return Buffer.from(request.rawData);
}

/**
 * Node (OpenSSL) parses first, so damaged input never reaches the library, and gives the serial and
 * fingerprint as openssl prints them and the synchronous self-signature check; the library reads
 * the names, validity and subjectAltName, which Node only offers as display text.
 */
export function describeCertificate(der: Uint8Array): CertificateInfo {
  const nodeCertificate = loadCertificate(der);
  const { subject, issuer, notBefore, notAfter, subjectAltNames } = readFields(der);
  return {
    subject,
    issuer,
    serial: nodeCertificate.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
    sha256: nodeCertificate.fingerprint256,
    selfSigned: isSelfSigned(nodeCertificate),
    subjectAltNames,
  };
}

type CertificateFields = Pick<CertificateInfo, 'subject' | 'issuer' | 'notBefore' | 'notAfter' | 'subjectAltNames'>;

function readFields(der: Uint8Array): CertificateFields {
  try {
    const certificate = new x509.X509Certificate(der);
    const sanExtension = certificate.getExtension(x509.SubjectAlternativeNameExtension);
    return {
      subject: formatDistinguishedName(certificate.subjectName.toArrayBuffer()),
      issuer: formatDistinguishedName(certificate.issuerName.toArrayBuffer()),
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      subjectAltNames: sanExtension ? describeSubjectAltNames(sanExtension) : [],
    };
  } catch {
    throw new SignetError('ERR_CERT', "the certificate's names, validity or extensions could not be read");
  }
}

/** RFC 5280 §4.1.2.5: a validity that ends before it starts covers no moment; such a certificate was made wrongly. */
export function checkValidityOrder(certificate: CertificateInfo): void {
  if (new Date(certificate.notAfter) < new Date(certificate.notBefore)) {
    throw new SignetError('ERR_CERT', `the certificate ends (${certificate.notAfter}) before it starts (${certificate.notBefore}): it is damaged or was made wrongly`);
  }
}

export function certificatePublicKey(der: Uint8Array): KeyObject {
  return loadCertificate(der).publicKey;
}

export function certificateMatchesKey(der: Uint8Array, publicKey: KeyObject): boolean {
  return samePublicKey(certificatePublicKey(der), publicKey);
}

export function csrToPem(der: Buffer): Buffer {
  return Buffer.from(toPem('CERTIFICATE REQUEST', der), 'utf8');
}

interface Signer {
  type: AsymmetricKey['type'];
  keys: webcrypto.CryptoKeyPair;
  algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

/**
 * RSA: sha256WithRSAEncryption; EC: ECDSA with the hash matching the curve (RFC 5758 §3.2); Ed25519
 * (RFC 8410 §3). Node 20 has no KeyObject.toCryptoKey, so the key goes to WebCrypto as a JWK: its
 * PKCS#8 import fails on an OpenSSL error that any earlier unrelated call left queued (observed after
 * KeyObject.equals on keys of different types: "Invalid keyData"), and the JWK import does not.
 */
async function signerFor(key: AsymmetricKey): Promise<Signer> {
  const privateKey = key.privateKey;
  if (!privateKey) throw new SignetError('ERR_KEY_NO_PRIVATE', 'a certificate or request is signed with the private key, and this key has only its public half');
  const { type, curve } = describeKeyObject(privateKey);
  let keyAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  let algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
  switch (type) {
    case 'rsa':
      keyAlgorithm = algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      break;
    case 'ec': {
      const namedCurve = curve ?? 'P-256';
      keyAlgorithm = { name: 'ECDSA', namedCurve };
      algorithm = { name: 'ECDSA', hash: namedCurve === 'P-384' ? 'SHA-384' : namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256' };
      break;
    }
    case 'ed25519':
      keyAlgorithm = algorithm = { name: 'Ed25519' };
      break;
    case 'x25519':
      throw new SignetError('ERR_KEY_UNSUITABLE', 'X25519 keys only agree on secrets and cannot sign a certificate or request; use an RSA, EC or Ed25519 key');
  }
  const [signingKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', privateKey.export({ format: 'jwk' }), keyAlgorithm, false, ['sign']),
    webcrypto.subtle.importKey('jwk', createPublicKey(privateKey).export({ format: 'jwk' }), keyAlgorithm, true, ['verify']),
  ]);
  return { type, keys: { privateKey: signingKey, publicKey }, algorithm };
}

/**
 * RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime otherwise, whole seconds. The library
 * writes whole-second UTCTime for every year up to 2049, so 1940 would read back as 2040: refuse it.
 */
function checkValidity(notBefore: Date, notAfter: Date): void {
  for (const date of [notBefore, notAfter]) {
    const year = date.getUTCFullYear();
    if (Number.isNaN(year)) throw new SignetError('ERR_BAD_INPUT', 'invalid certificate validity date');
    if (year < 1950 || year > 9999) throw new SignetError('ERR_BAD_INPUT', 'certificate validity dates must lie between the years 1950 and 9999');
  }
  if (!(Math.floor(notAfter.getTime() / 1000) > Math.floor(notBefore.getTime() / 1000))) throw new SignetError('ERR_BAD_INPUT', 'notAfter must be later than notBefore');
}

function usageExtensions(input: CertificateRequestInput, type: AsymmetricKey['type']): x509.Extension[] {
  const { digitalSignature, nonRepudiation, keyEncipherment, keyAgreement } = x509.KeyUsageFlags;
  const usage = input.keyUsage ?? 'client';
  // RFC 5480 §3: an ECDH key's certificate says keyAgreement; digitalSignature would offer it for ECDSA.
  const agreement = type === 'ec' && input.use === 'enc';
  if (agreement && usage === 'signing') throw new SignetError('ERR_BAD_INPUT', 'an encryption (ECDH) key does not sign: its certificate is for client or server use');
  // RSA key transport (TLS 1.2 RSA key exchange) needs keyEncipherment; EC and EdDSA keys never encipher.
  const encipher = type === 'rsa' ? keyEncipherment : 0;
  const flags = agreement ? keyAgreement : usage === 'signing' ? digitalSignature | nonRepudiation : digitalSignature | encipher;
  const purposes = usage === 'client' ? [x509.ExtendedKeyUsage.clientAuth] : usage === 'server' ? [x509.ExtendedKeyUsage.serverAuth] : [];
  return [new x509.KeyUsagesExtension(flags, true), ...(purposes.length ? [new x509.ExtendedKeyUsageExtension(purposes, false)] : [])];
}

function sanExtensions(sans: string[] | undefined): x509.Extension[] {
  return sans && sans.length > 0 ? [subjectAltNameExtension(sans)] : [];
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits. */
async function keyIdentifier(publicKey: webcrypto.CryptoKey): Promise<string> {
  const spki = await x509.PublicKey.create(publicKey);
  return Buffer.from(await spki.getKeyIdentifier('SHA-256')).subarray(0, 20).toString('hex');
}

/** A positive serial of at most 20 octets (RFC 5280 §4.1.2.2); random ones carry 126 bits of entropy. */
function serialHex(serial: string | undefined): string {
  if (serial === undefined) {
    const random = randomBytes(16);
    random.writeUInt8((random.readUInt8(0) & 0x3f) | 0x40, 0); // positive, and no leading zero to strip
    return random.toString('hex');
  }
  // The library adds the 0x00 that keeps a serial with a high first bit positive; it would swap zero for a random serial.
  const hex = serial.replace(/:/g, '').replace(/^0+/, '');
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > 40) throw new SignetError('ERR_BAD_INPUT', 'a serial is a non-zero hex number of at most 20 bytes');
  return hex.length % 2 ? `0${hex}` : hex;
}

function loadCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new SignetError('ERR_CERT', 'not a valid X.509 certificate');
  }
}

/** Issuer equals subject and the certificate's own key verifies it (checkIssued would also demand keyCertSign). */
function isSelfSigned(certificate: X509Certificate): boolean {
  try {
    return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}
