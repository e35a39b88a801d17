import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { bundleKeys, type FoundItems } from './bundle.ts';
import { classifyDer, decryptPkcs8, GIVE_PASSWORD, type DerKind } from './der.ts';
import { parseJwkText } from './jwk.ts';
import { containsPem, parsePemBlocks, type PemBlock } from './pem.ts';
import { parsePkcs12 } from './pkcs12.ts';
import { MAX_KEY_FILE_BYTES, type ParsedKeyFile } from './types.ts';

const PEM_KINDS: Record<string, DerKind> = {
  'PRIVATE KEY': 'pkcs8',
  'ENCRYPTED PRIVATE KEY': 'encrypted-pkcs8',
  'RSA PRIVATE KEY': 'pkcs1-private',
  'EC PRIVATE KEY': 'sec1',
  'PUBLIC KEY': 'spki',
  'RSA PUBLIC KEY': 'pkcs1-public',
  CERTIFICATE: 'certificate',
  'X509 CERTIFICATE': 'certificate',
};

/** Blocks that travel next to keys but hold none: `openssl ecparam -genkey` writes EC PARAMETERS first. */
const IGNORED_PEM = new Set(['EC PARAMETERS', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'X509 CRL', 'DH PARAMETERS']);

const UNSUPPORTED_PEM: Record<string, string> = {
  'DSA PRIVATE KEY': 'DSA keys are not supported; Signet handles RSA, EC (P-256/384/521), Ed25519 and X25519',
  'OPENSSH PRIVATE KEY': 'OpenSSH private keys are not supported; convert with: ssh-keygen -p -m PKCS8 -f FILE',
  PKCS7: 'PKCS#7 bundles are not supported; convert with: openssl pkcs7 -print_certs -in FILE',
};

const DESCRIPTIONS: Record<DerKind, string> = {
  pkcs12: 'PKCS#12 file',
  certificate: 'X.509 certificate',
  csr: 'certificate request',
  spki: 'SubjectPublicKeyInfo public key',
  pkcs8: 'PKCS#8 private key',
  'encrypted-pkcs8': 'encrypted PKCS#8 private key',
  'pkcs1-private': 'PKCS#1 RSA private key',
  'pkcs1-public': 'PKCS#1 RSA public key',
  sec1: 'SEC1 EC private key',
};

/**
 * Reads a key file of any supported format, told apart by its bytes: PEM (any mix of keys and
 * certificates), DER (PKCS#8, SPKI, PKCS#1, SEC1, certificate, PKCS#12), JWK or JWKS.
 */
export async function parseKeyFile(bytes: Uint8Array, options: { password?: string } = {}): Promise<ParsedKeyFile> {
  if (bytes.length > MAX_KEY_FILE_BYTES) {
    throw new SignetError('ERR_TOO_LARGE', `key files are at most 1 MiB; this one is ${Math.ceil(bytes.length / 1024)} KiB`);
  }
  const der = Buffer.from(bytes);
  // 0x30 opens a DER SEQUENCE; no text format here starts with the character '0'.
  if (der[0] === 0x30) return parseDer(der, options.password);

  const text = der.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed === '') throw new SignetError('ERR_KEY_FORMAT', 'the file is empty');
  if (trimmed.startsWith('{')) return parseJwkText(trimmed);
  if (containsPem(text)) return { format: 'pem', keys: bundleKeys(readPem(text, options.password)), secrets: [] };
  if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-)/.test(trimmed)) {
    throw new SignetError('ERR_KEY_FORMAT', 'OpenSSH public keys are not supported; convert with: ssh-keygen -e -m PKCS8 -f FILE');
  }
  throw new SignetError('ERR_KEY_FORMAT', 'not a key file: expected PEM, DER, JWK/JWKS or PKCS#12');
}

async function parseDer(der: Buffer, password: string | undefined): Promise<ParsedKeyFile> {
  const kind = classifyDer(der);
  if (kind === 'pkcs12') return { format: 'pkcs12', keys: await parsePkcs12(der, password), secrets: [] };
  const found: FoundItems = { privateKeys: [], publicKeys: [], certificates: [] };
  readItem(found, kind, der, password, 'the DER file');
  return { format: 'der', keys: bundleKeys(found), secrets: [] };
}

function readPem(text: string, password: string | undefined): FoundItems {
  const found: FoundItems = { privateKeys: [], publicKeys: [], certificates: [] };
  const ignored: string[] = [];
  for (const block of parsePemBlocks(text)) {
    const unsupported = UNSUPPORTED_PEM[block.label];
    if (unsupported) throw new SignetError('ERR_KEY_FORMAT', unsupported);
    if (IGNORED_PEM.has(block.label)) {
      ignored.push(block.label);
      continue;
    }
    const kind = PEM_KINDS[block.label];
    if (!kind) throw new SignetError('ERR_KEY_FORMAT', `unsupported PEM block '${block.label}'`);
    if (isLegacyEncrypted(block)) found.privateKeys.push(decryptLegacyPem(block, password));
    else readItem(found, kind, block.der, password, `PEM block '${block.label}'`);
  }
  if (found.privateKeys.length + found.publicKeys.length + found.certificates.length === 0) {
    if (ignored.some((label) => label.endsWith('CERTIFICATE REQUEST'))) throw csrIsNotAKey();
    const seen = ignored.length ? ` (found: ${[...new Set(ignored)].join(', ')})` : '';
    throw new SignetError('ERR_KEY_FORMAT', `the PEM file holds no key or certificate${seen}`);
  }
  return found;
}

function readItem(found: FoundItems, kind: DerKind, der: Buffer, password: string | undefined, what: string): void {
  switch (kind) {
    case 'certificate':
      found.certificates.push(der);
      return;
    case 'encrypted-pkcs8':
      found.privateKeys.push(decryptPkcs8(der, password, what));
      return;
    case 'pkcs8':
      found.privateKeys.push(nodeKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), kind, what));
      return;
    case 'pkcs1-private':
      found.privateKeys.push(nodeKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }), kind, what));
      return;
    case 'sec1':
      found.privateKeys.push(nodeKey(() => createPrivateKey({ key: der, format: 'der', type: 'sec1' }), kind, what));
      return;
    case 'spki':
      found.publicKeys.push(nodeKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }), kind, what));
      return;
    case 'pkcs1-public':
      found.publicKeys.push(nodeKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }), kind, what));
      return;
    case 'csr':
      throw csrIsNotAKey();
    case 'pkcs12':
      throw new SignetError('ERR_KEY_FORMAT', `${what} holds a PKCS#12 file, which is read from its own DER file`);
  }
}

function csrIsNotAKey(): SignetError {
  return new SignetError('ERR_KEY_FORMAT', 'a certificate request (CSR) is not a key file; import the key or the issued certificate');
}

function nodeKey(create: () => KeyObject, kind: DerKind, what: string): KeyObject {
  try {
    return create();
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', `${what} is not a valid ${DESCRIPTIONS[kind]}`);
  }
}

/** RFC 1421 encryption (`Proc-Type: 4,ENCRYPTED`), as `openssl genrsa -aes256 -traditional` writes it. */
function isLegacyEncrypted(block: PemBlock): boolean {
  return (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED');
}

function decryptLegacyPem(block: PemBlock, password: string | undefined): KeyObject {
  const what = `PEM block '${block.label}'`;
  if (password === undefined) throw new SignetError('ERR_BAD_PASSWORD', `${what} is encrypted and needs the password it was saved with: ${GIVE_PASSWORD}`);
  try {
    return createPrivateKey({ key: block.text, format: 'pem', passphrase: password });
  } catch {
    throw new SignetError('ERR_BAD_PASSWORD', `wrong password for ${what}`);
  }
}
