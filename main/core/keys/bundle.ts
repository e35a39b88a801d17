import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { checkKeyPair, describeImportedKey, samePublicKey } from './describe.ts';
import type { ParsedKey } from './types.ts';

/** Everything found in one file, before keys and certificates are paired. */
export interface FoundItems {
  privateKeys: KeyObject[];
  publicKeys: KeyObject[];
  /** DER, in file order. */
  certificates: Buffer[];
}

interface LoadedCertificate {
  der: Buffer;
  x509: X509Certificate;
}

/**
 * Pairs keys with their certificates. Each key gets the certificate holding its public key first,
 * then that certificate's issuers found in the same file. Certificates no key claims become public
 * keys of their own: one per leaf (a certificate that issued none of the others), with its chain.
 */
export function bundleKeys(found: FoundItems): ParsedKey[] {
  const certificates = loadCertificates(found.certificates);
  const claimed = new Set<LoadedCertificate>();
  const keys: ParsedKey[] = [];

  const withPrivate = found.privateKeys.map((privateKey) => ({ publicKey: statedPublicKey(privateKey), privateKey }));
  const publicOnly = found.publicKeys
    .filter((publicKey) => !withPrivate.some((pair) => samePublicKey(pair.publicKey, publicKey)))
    .map((publicKey) => ({ publicKey, privateKey: undefined }));

  for (const { publicKey, privateKey } of [...withPrivate, ...publicOnly]) {
    const leaves = certificates.filter((certificate) => samePublicKey(certificate.x509.publicKey, publicKey));
    const chain = leaves[0] ? issuersOf(leaves[0], certificates) : [];
    for (const certificate of [...leaves, ...chain]) claimed.add(certificate);
    keys.push(parsedKey(publicKey, privateKey, [...leaves, ...chain]));
  }

  const unclaimed = certificates.filter((certificate) => !claimed.has(certificate));
  for (const leaf of unclaimed) {
    const issuedAnother = unclaimed.some((other) => other !== leaf && other.x509.checkIssued(leaf.x509) && !isSelfIssued(other));
    if (issuedAnother) continue;
    keys.push(parsedKey(leaf.x509.publicKey, undefined, [leaf, ...issuersOf(leaf, certificates)]));
  }
  return keys;
}

/**
 * The public half a private key carries (an EC key's embedded point is taken as stated, not derived), once
 * a test signature shows it belongs to the private half: the file's certificates are matched against it.
 */
function statedPublicKey(privateKey: KeyObject): KeyObject {
  const publicKey = createPublicKey(privateKey);
  // The type first: one Signet does not handle (Ed448, X448) fails the test signature and would read as damaged.
  describeImportedKey(publicKey);
  const check = checkKeyPair(publicKey, privateKey);
  if (check === 'unusable') throw new SignetError('ERR_KEY_FORMAT', 'the private key is damaged: it cannot be used to sign');
  if (check === 'different-keys') throw new SignetError('ERR_KEY_FORMAT', "the key's private and public parts belong to different keys: the file is damaged or was edited");
  return publicKey;
}

function parsedKey(publicKey: KeyObject, privateKey: KeyObject | undefined, certificates: LoadedCertificate[]): ParsedKey {
  const key: ParsedKey = { ...describeImportedKey(publicKey), publicKey, certificates: certificates.map((certificate) => certificate.der) };
  if (privateKey) key.privateKey = privateKey;
  return key;
}

function loadCertificates(ders: Buffer[]): LoadedCertificate[] {
  const loaded: LoadedCertificate[] = [];
  ders.forEach((der, index) => {
    if (loaded.some((certificate) => certificate.der.equals(der))) return;
    try {
      const x509 = new X509Certificate(der);
      // The constructor accepts a certificate whose public key is damaged; reading the key does not.
      x509.publicKey.export({ format: 'der', type: 'spki' });
      loaded.push({ der, x509 });
    } catch {
      throw new SignetError('ERR_KEY_FORMAT', `certificate #${index + 1} is not a valid X.509 certificate`);
    }
  });
  return loaded;
}

/** A root (or a self-signed leaf): the chain ends here. Names are compared, not keyCertSign. */
function isSelfIssued(certificate: LoadedCertificate): boolean {
  return certificate.x509.subject === certificate.x509.issuer;
}

/** The issuer chain of a certificate among the given ones, nearest first; stops at a self-issued root or a loop. */
function issuersOf(start: LoadedCertificate, certificates: LoadedCertificate[]): LoadedCertificate[] {
  const chain: LoadedCertificate[] = [];
  let current = start;
  while (!isSelfIssued(current)) {
    const issuer = certificates.find((candidate) => candidate !== current && !chain.includes(candidate) && current.x509.checkIssued(candidate.x509));
    if (!issuer || issuer === start) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}
