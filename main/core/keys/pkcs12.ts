import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SignetError } from '../errors.ts';
import { bundleKeys, type FoundItems } from './bundle.ts';
import { checkPbeCost, decodeDer, decryptPkcs8, GIVE_PASSWORD, MAX_PBE_ITERATIONS } from './der.ts';
import { EXPORT_ITERATIONS, pbes2Encrypt } from './pbes2.ts';
import { MAX_KEY_FILE_BYTES, type ParsedKey } from './types.ts';
import { samePublicKey } from './describe.ts';

// RFC 7292 object identifiers.
const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
} as const;

// pkijs only needs WebCrypto (PBKDF2, AES-CBC, HMAC); Node's is passed explicitly, so no global engine is set.
const engine = new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: globalThis.crypto });

/** Reads a PKCS#12 (.p12/.pfx) file: private keys with their certificate chains, or certificates alone. */
export async function parsePkcs12(bytes: Uint8Array, password: string | undefined): Promise<ParsedKey[]> {
  if (bytes.length > MAX_KEY_FILE_BYTES) throw new SignetError('ERR_TOO_LARGE', 'PKCS#12 files are at most 1 MiB');
  const pfx = readPfx(bytes);
  // A file made with an empty password (openssl -passout pass:) opens without one.
  const effectivePassword = password ?? '';
  const passwordMissing = password === undefined;
  await checkMac(pfx, effectivePassword, passwordMissing);

  const found: FoundItems = { privateKeys: [], publicKeys: [], certificates: [] };
  const keyNames: (string | undefined)[] = [];
  const certificateNames = new Map<string, string>();
  for (const bags of await openSafeContents(pfx, effectivePassword, passwordMissing)) {
    for (const bag of bags.safeBags) {
      const name = friendlyNameOf(bag);
      if (bag.bagId === OID.keyBag || bag.bagId === OID.shroudedKeyBag) {
        found.privateKeys.push(readKeyBag(bag, effectivePassword, passwordMissing));
        keyNames.push(name);
      } else if (bag.bagId === OID.certBag && bag.bagValue instanceof pkijs.CertBag && bag.bagValue.certId === OID.x509Certificate) {
        const der = Buffer.from(certificateBytes(bag.bagValue));
        found.certificates.push(der);
        if (name) certificateNames.set(der.toString('base64'), name);
      }
      // CRL, secret and nested bags hold nothing Signet imports.
    }
  }
  // bundleKeys lists the private keys first, in the order found, so index i is private key bag i.
  const keys = bundleKeys(found);
  keys.forEach((key, index) => {
    const name = keyNames[index] ?? (key.certificates[0] && certificateNames.get(key.certificates[0].toString('base64')));
    if (name) key.friendlyName = name;
  });
  return keys;
}

function readPfx(bytes: Uint8Array): pkijs.PFX {
  const root = decodeDer(bytes, 'the PKCS#12 file');
  let pfx: pkijs.PFX;
  try {
    pfx = new pkijs.PFX({ schema: root });
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', 'not a valid PKCS#12 file');
  }
  if (pfx.authSafe.contentType !== OID.data || !(pfx.authSafe.content instanceof asn1js.OctetString)) {
    throw new SignetError('ERR_KEY_FORMAT', 'PKCS#12 files sealed with a public-key signature are not supported; re-export with a password');
  }
  return pfx;
}

function authSafeBytes(pfx: pkijs.PFX): ArrayBuffer {
  const content: unknown = pfx.authSafe.content;
  if (!(content instanceof asn1js.OctetString)) throw new SignetError('ERR_KEY_FORMAT', 'not a valid PKCS#12 file');
  return content.getValue();
}

/** RFC 7292 §5: the MAC proves the password before anything is decrypted. */
async function checkMac(pfx: pkijs.PFX, password: string, passwordMissing: boolean): Promise<void> {
  const macData = pfx.macData;
  if (!macData) return;
  const iterations = macData.iterations ?? 1;
  if (iterations > MAX_PBE_ITERATIONS) {
    throw new SignetError('ERR_KEY_FORMAT', `the PKCS#12 MAC asks for ${iterations} iterations; Signet opens at most ${MAX_PBE_ITERATIONS}`);
  }
  const hash = engine.getAlgorithmByOID(macData.mac.digestAlgorithm.algorithmId);
  if (!('name' in hash) || !['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'].includes(hash.name)) {
    throw new SignetError('ERR_KEY_FORMAT', 'the PKCS#12 MAC uses an unsupported digest');
  }
  const verified = await engine.verifyDataStampedWithPassword({
    password: utf8(password),
    hashAlgorithm: hash.name,
    salt: toArrayBuffer(macData.macSalt.valueBlock.valueHexView),
    iterationCount: iterations,
    contentToVerify: authSafeBytes(pfx),
    signatureToVerify: toArrayBuffer(macData.mac.digest.valueBlock.valueHexView),
  });
  if (!verified) throw badPassword(passwordMissing);
}

async function openSafeContents(pfx: pkijs.PFX, password: string, passwordMissing: boolean): Promise<pkijs.SafeContents[]> {
  let authenticatedSafe: pkijs.AuthenticatedSafe;
  try {
    authenticatedSafe = pkijs.AuthenticatedSafe.fromBER(authSafeBytes(pfx));
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', 'not a valid PKCS#12 file (damaged contents)');
  }
  const opened: pkijs.SafeContents[] = [];
  for (const contentInfo of authenticatedSafe.safeContents) {
    let plain: ArrayBuffer;
    const encrypted = contentInfo.contentType === OID.encryptedData;
    if (contentInfo.contentType === OID.data && contentInfo.content instanceof asn1js.OctetString) {
      plain = contentInfo.content.getValue();
    } else if (encrypted) {
      plain = await decryptContent(new pkijs.EncryptedData({ schema: contentInfo.content }), password, passwordMissing);
    } else {
      throw new SignetError('ERR_KEY_FORMAT', 'this PKCS#12 file encrypts to a public key, which is not supported');
    }
    try {
      opened.push(pkijs.SafeContents.fromBER(plain));
    } catch {
      // Without a MAC nothing proved the password, and a wrong one can decrypt (padding and all) to garbage.
      if (encrypted && !pfx.macData) throw badPassword(passwordMissing);
      throw new SignetError('ERR_KEY_FORMAT', 'not a valid PKCS#12 file (damaged bags)');
    }
  }
  return opened;
}

async function decryptContent(encrypted: pkijs.EncryptedData, password: string, passwordMissing: boolean): Promise<ArrayBuffer> {
  const algorithm = encrypted.encryptedContentInfo.contentEncryptionAlgorithm;
  if (algorithm.algorithmId !== OID.pbes2) {
    // RC2-40 and 3DES (openssl -legacy, old Windows exports) are broken or gone from OpenSSL 3's default provider.
    throw new SignetError('ERR_KEY_FORMAT', 'this PKCS#12 file uses legacy encryption (RC2/3DES); re-export it with AES (OpenSSL 3 defaults, without -legacy)');
  }
  checkPbeCost(algorithm.toSchema(), 'the PKCS#12 certificates');
  try {
    return await encrypted.decrypt({ password: utf8(password) }, engine);
  } catch {
    throw badPassword(passwordMissing);
  }
}

function readKeyBag(bag: pkijs.SafeBag, password: string, passwordMissing: boolean): KeyObject {
  const der = Buffer.from(bag.bagValue.toSchema().toBER());
  if (bag.bagId === OID.shroudedKeyBag) {
    try {
      return decryptPkcs8(der, password, 'the PKCS#12 private key');
    } catch (error) {
      throw error instanceof SignetError && error.code === 'ERR_BAD_PASSWORD' ? badPassword(passwordMissing) : error;
    }
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', 'the PKCS#12 private key is not a valid PKCS#8 key');
  }
}

function certificateBytes(bag: pkijs.CertBag): Uint8Array {
  const value: unknown = bag.certValue;
  if (!(value instanceof asn1js.OctetString)) throw new SignetError('ERR_KEY_FORMAT', 'a PKCS#12 certificate bag is damaged');
  return value.valueBlock.valueHexView;
}

function friendlyNameOf(bag: pkijs.SafeBag): string | undefined {
  const attribute = bag.bagAttributes?.find((candidate) => candidate.type === OID.friendlyName);
  const value: unknown = attribute?.values[0];
  return value instanceof asn1js.BmpString ? value.valueBlock.value : undefined;
}

function badPassword(passwordMissing: boolean): SignetError {
  return passwordMissing
    ? new SignetError('ERR_BAD_PASSWORD', `this PKCS#12 file needs the password it was exported with: ${GIVE_PASSWORD}`)
    : new SignetError('ERR_BAD_PASSWORD', 'wrong PKCS#12 password');
}

export interface Pkcs12ExportInput {
  privateKey: KeyObject;
  /** DER, the key's own certificate first, then its chain. */
  certificates: Buffer[];
  password: string;
  friendlyName?: string;
}

/**
 * Writes a PKCS#12 file the way OpenSSL 3 does by default, with a higher work factor: key and
 * certificates under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), integrity by HMAC-SHA256 (RFC 7292, RFC 8018).
 */
export async function exportPkcs12(input: Pkcs12ExportInput): Promise<Buffer> {
  if (input.privateKey.type !== 'private') throw new SignetError('ERR_KEY_NO_PRIVATE', 'a PKCS#12 file holds a private key, and this key has only its public half');
  if (input.password === '') throw new SignetError('ERR_BAD_INPUT', 'a PKCS#12 export needs a password');
  const [leaf] = input.certificates;
  if (!leaf) throw new SignetError('ERR_BAD_INPUT', 'a PKCS#12 file needs the key\'s certificate; make a self-signed one first');
  if (!leafHoldsKey(leaf, input.privateKey)) throw new SignetError('ERR_BAD_INPUT', 'the first certificate does not belong to the private key');

  // localKeyID pairs the key with its certificate (RFC 7292 §4.2); a digest of the certificate, as OpenSSL does.
  const localKeyId = createHash('sha256').update(leaf).digest();
  const attributes = (withName: boolean): pkijs.Attribute[] => [
    new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: localKeyId })] }),
    ...(withName && input.friendlyName ? [new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: input.friendlyName })] })] : []),
  ];

  const pkcs8 = input.privateKey.export({ format: 'der', type: 'pkcs8' });
  const sealedKey = await pbes2Encrypt(pkcs8, input.password);
  const keyBag = new pkijs.SafeBag({
    bagId: OID.shroudedKeyBag,
    bagValue: new pkijs.PKCS8ShroudedKeyBag({ encryptionAlgorithm: sealedKey.algorithm, encryptedData: new asn1js.OctetString({ valueHex: sealedKey.ciphertext }) }),
    bagAttributes: attributes(true),
  });
  const certificateBags = input.certificates.map(
    (der, index) =>
      new pkijs.SafeBag({
        bagId: OID.certBag,
        bagValue: new pkijs.CertBag({ certId: OID.x509Certificate, certValue: new asn1js.OctetString({ valueHex: der }) }),
        ...(index === 0 ? { bagAttributes: attributes(true) } : {}),
      }),
  );

  const certificateContents = new pkijs.SafeContents({ safeBags: certificateBags }).toSchema().toBER();
  const sealedCertificates = await pbes2Encrypt(Buffer.from(certificateContents), input.password);
  const encryptedCertificates = new pkijs.EncryptedData({
    version: 0,
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: OID.data,
      contentEncryptionAlgorithm: sealedCertificates.algorithm,
      encryptedContent: new asn1js.OctetString({ valueHex: sealedCertificates.ciphertext }),
    }),
  });
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({ contentType: OID.encryptedData, content: encryptedCertificates.toSchema() }),
      new pkijs.ContentInfo({ contentType: OID.data, content: new asn1js.OctetString({ valueHex: new pkijs.SafeContents({ safeBags: [keyBag] }).toSchema().toBER() }) }),
    ],
  });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues(
    { password: utf8(input.password), iterations: EXPORT_ITERATIONS, hmacHashAlgorithm: 'SHA-256', pbkdf2HashAlgorithm: { name: 'SHA-256' } },
    engine,
  );
  return Buffer.from(pfx.toSchema().toBER());
}

function leafHoldsKey(leaf: Buffer, privateKey: KeyObject): boolean {
  try {
    return samePublicKey(new X509Certificate(leaf).publicKey, privateKey);
  } catch {
    throw new SignetError('ERR_BAD_INPUT', 'the first certificate is not a valid X.509 certificate');
  }
}

function utf8(text: string): ArrayBuffer {
  return toArrayBuffer(Buffer.from(text, 'utf8'));
}

function toArrayBuffer(view: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(view.byteLength);
  new Uint8Array(copy).set(view);
  return copy;
}
