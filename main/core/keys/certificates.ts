import { createHash, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { SignetError } from '../errors.ts';
import { children, decodeDer, oidOf } from './der.ts';
import { describeKeyObject } from './describe.ts';
import { encodeDistinguishedName, formatDistinguishedName } from './distinguished-name.ts';
import { toPem } from './pem.ts';
import { decodeSubjectAltNames, encodeSubjectAltNames } from './subject-alt-names.ts';
import type { AsymmetricKey, CertificateInfo } from './types.ts';

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
}

export interface SelfSignInput extends CertificateRequestInput {
  notBefore: Date;
  notAfter: Date;
  /** Hex; random when absent. */
  serial?: string;
}

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

// KeyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first byte.
const DIGITAL_SIGNATURE = 0x80;
const NON_REPUDIATION = 0x40;
const KEY_ENCIPHERMENT = 0x20;

/** An X.509 v3 certificate signed by its own key (RFC 5280 §4.1). Returns DER. */
export async function selfSignCertificate(input: SelfSignInput): Promise<Buffer> {
  const signer = signerFor(input.key);
  if (!(input.notAfter.getTime() > input.notBefore.getTime())) throw new SignetError('ERR_BAD_INPUT', 'notAfter must be later than notBefore');
  const subject = encodeDistinguishedName(input.subject);
  const keyId = keyIdentifier(signer.spki);
  const extensions = [
    extension(OID.basicConstraints, true, new asn1js.Sequence()),
    ...usageExtensions(input.keyUsage ?? 'client', signer.type),
    ...sanExtension(input.sans),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId })),
    extension(OID.authorityKeyIdentifier, false, new asn1js.Sequence({ value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyId })] })),
  ];
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 2 })] }),
      new asn1js.Integer({ valueHex: serialBytes(input.serial) }),
      signer.algorithm(),
      encodeDistinguishedName(input.subject),
      new asn1js.Sequence({ value: [encodeTime(input.notBefore), encodeTime(input.notAfter)] }),
      subject,
      decodeDer(signer.spki, 'the public key'),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 3 }, value: [new asn1js.Sequence({ value: extensions })] }),
    ],
  });
  return signed(tbs, signer);
}

/** A PKCS#10 certificate request (RFC 2986) carrying the wanted extensions. Returns DER. */
export async function createCsr(input: CertificateRequestInput): Promise<Buffer> {
  const signer = signerFor(input.key);
  const extensions = [...usageExtensions(input.keyUsage ?? 'client', signer.type), ...sanExtension(input.sans)];
  const extensionRequest = new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: OID.extensionRequest }), new asn1js.Set({ value: [new asn1js.Sequence({ value: extensions })] })],
  });
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      encodeDistinguishedName(input.subject),
      decodeDer(signer.spki, 'the public key'),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [extensionRequest] }),
    ],
  });
  return signed(info, signer);
}

export function describeCertificate(der: Uint8Array): CertificateInfo {
  const x509 = loadCertificate(der);
  const tbs = children(children(decodeDer(der, 'the certificate'))[0]);
  const offset = tbs[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const [issuer, validity, subject] = [tbs[offset + 2], tbs[offset + 3], tbs[offset + 4]];
  const [notBefore, notAfter] = children(validity).map(timeOf);
  if (!notBefore || !notAfter) throw new SignetError('ERR_CERT', 'the certificate has no readable validity period');
  return {
    subject: formatDistinguishedName(subject),
    issuer: formatDistinguishedName(issuer),
    serial: x509.serialNumber.toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    sha256: x509.fingerprint256,
    selfSigned: isSelfSigned(x509),
    subjectAltNames: subjectAltNames(tbs),
  };
}

export function certificatePublicKey(der: Uint8Array): KeyObject {
  return loadCertificate(der).publicKey;
}

export function certificateMatchesKey(der: Uint8Array, publicKey: KeyObject): boolean {
  return certificatePublicKey(der).equals(publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey);
}

export function csrToPem(der: Buffer): Buffer {
  return Buffer.from(toPem('CERTIFICATE REQUEST', der), 'utf8');
}

interface Signer {
  type: AsymmetricKey['type'];
  spki: Buffer;
  algorithm: () => asn1js.Sequence;
  sign: (data: Buffer) => Buffer;
}

/** RSA: sha256WithRSAEncryption; EC: ECDSA with the hash matching the curve (RFC 5758 §3.2); Ed25519 (RFC 8410 §3). */
function signerFor(key: AsymmetricKey): Signer {
  const privateKey = key.privateKey;
  if (!privateKey) throw new SignetError('ERR_KEY_NO_PRIVATE', 'a certificate or request is signed with the private key, and this key has only its public half');
  const { type, curve } = describeKeyObject(privateKey);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const algorithm = (oid: string, withNullParameters: boolean) => () =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), ...(withNullParameters ? [new asn1js.Null()] : [])] });
  switch (type) {
    case 'rsa':
      return { type, spki, algorithm: algorithm('1.2.840.113549.1.1.11', true), sign: (data) => sign('sha256', data, privateKey) };
    case 'ec': {
      const [oid, hash] = curve === 'P-384' ? ['1.2.840.10045.4.3.3', 'sha384'] : curve === 'P-521' ? ['1.2.840.10045.4.3.4', 'sha512'] : ['1.2.840.10045.4.3.2', 'sha256'];
      return { type, spki, algorithm: algorithm(oid, false), sign: (data) => sign(hash, data, { key: privateKey, dsaEncoding: 'der' }) };
    }
    case 'ed25519':
      return { type, spki, algorithm: algorithm('1.3.101.112', false), sign: (data) => sign(null, data, privateKey) };
    case 'x25519':
      throw new SignetError('ERR_KEY_UNSUITABLE', 'X25519 keys only agree on secrets and cannot sign a certificate or request; use an RSA, EC or Ed25519 key');
  }
}

function signed(toBeSigned: asn1js.Sequence, signer: Signer): Buffer {
  const tbsDer = Buffer.from(toBeSigned.toBER());
  const signature = signer.sign(tbsDer);
  const whole = new asn1js.Sequence({ value: [decodeDer(tbsDer, 'the signed part'), signer.algorithm(), new asn1js.BitString({ valueHex: signature })] });
  return Buffer.from(whole.toBER());
}

function extension(oid: string, critical: boolean, value: asn1js.BaseBlock): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: oid }), ...(critical ? [new asn1js.Boolean({ value: true })] : []), new asn1js.OctetString({ valueHex: value.toBER() })],
  });
}

function usageExtensions(usage: CertificateUsage, type: AsymmetricKey['type']): asn1js.Sequence[] {
  // RSA key transport (TLS 1.2 RSA key exchange) needs keyEncipherment; EC and EdDSA keys never encipher.
  const encipher = type === 'rsa' ? KEY_ENCIPHERMENT : 0;
  const bits = usage === 'signing' ? DIGITAL_SIGNATURE | NON_REPUDIATION : DIGITAL_SIGNATURE | encipher;
  const purposes = usage === 'client' ? [OID.clientAuth] : usage === 'server' ? [OID.serverAuth] : [];
  return [
    extension(OID.keyUsage, true, keyUsageBits(bits)),
    ...(purposes.length ? [extension(OID.extKeyUsage, false, new asn1js.Sequence({ value: purposes.map((value) => new asn1js.ObjectIdentifier({ value })) }))] : []),
  ];
}

/** DER drops trailing zero bits of a named bit list (X.690 §11.2.2). */
function keyUsageBits(bits: number): asn1js.BitString {
  let unusedBits = 0;
  while (unusedBits < 7 && ((bits >> unusedBits) & 1) === 0) unusedBits += 1;
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]), unusedBits });
}

function sanExtension(sans: string[] | undefined): asn1js.Sequence[] {
  return sans && sans.length > 0 ? [extension(OID.subjectAltName, false, encodeSubjectAltNames(sans))] : [];
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const bitString = children(decodeDer(spki, 'the public key'))[1];
  const keyBits = bitString instanceof asn1js.BitString ? bitString.valueBlock.valueHexView : spki;
  return createHash('sha256').update(keyBits).digest().subarray(0, 20);
}

/** A positive serial of at most 20 octets (RFC 5280 §4.1.2.2); random ones carry 126 bits of entropy. */
function serialBytes(serial: string | undefined): Buffer {
  if (serial === undefined) {
    const random = randomBytes(16);
    random.writeUInt8((random.readUInt8(0) & 0x3f) | 0x40, 0); // positive, and no leading zero to strip
    return random;
  }
  const hex = serial.replace(/:/g, '').replace(/^0+/, '');
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > 40) throw new SignetError('ERR_BAD_INPUT', 'a serial is a non-zero hex number of at most 20 bytes');
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return (bytes.readUInt8(0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds only. */
function encodeTime(date: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  if (Number.isNaN(date.getTime())) throw new SignetError('ERR_BAD_INPUT', 'invalid certificate validity date');
  const valueDate = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = valueDate.getUTCFullYear();
  return year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate }) : new asn1js.GeneralizedTime({ valueDate });
}

function timeOf(block: asn1js.BaseBlock): Date | undefined {
  return block instanceof asn1js.UTCTime ? block.toDate() : undefined; // GeneralizedTime extends UTCTime in asn1js
}

function loadCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new SignetError('ERR_CERT', 'not a valid X.509 certificate');
  }
}

/** Issuer equals subject and the certificate's own key verifies it (checkIssued would also demand keyCertSign). */
function isSelfSigned(x509: X509Certificate): boolean {
  try {
    return x509.subject === x509.issuer && x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

function subjectAltNames(tbs: asn1js.BaseBlock[]): string[] {
  const extensionsBlock = tbs.find((block) => block.idBlock.tagClass === 3 && block.idBlock.tagNumber === 3);
  for (const entry of children(children(extensionsBlock)[0])) {
    const fields = children(entry);
    if (oidOf(fields[0]) !== OID.subjectAltName) continue;
    const value = fields[fields.length - 1];
    if (value instanceof asn1js.OctetString) return decodeSubjectAltNames(value.valueBlock.valueHexView);
  }
  return [];
}
