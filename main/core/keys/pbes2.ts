import { createCipheriv, pbkdf2, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SignetError } from '../errors.ts';
import { toPem } from './pem.ts';

// RFC 8018 object identifiers.
const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

/**
 * Work factor of exported files, for PBKDF2 (keys, certificates) and the PKCS#12 MAC alike: the MAC
 * is a password oracle too, so it must not be the cheap way in. 600,000 follows OWASP's 2023 advice
 * for PBKDF2-HMAC-SHA256; it costs about a second per export.
 */
export const EXPORT_ITERATIONS = 600_000;

const derive = promisify(pbkdf2);

/**
 * RFC 8018 §6.2 PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: fresh salt and IV every time. The
 * derivation (about a second) runs on libuv's pool: the thread that serves the console stays free.
 */
export async function pbes2Encrypt(plaintext: Buffer, password: string): Promise<{ algorithm: pkijs.AlgorithmIdentifier; ciphertext: Buffer }> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = await derive(Buffer.from(password, 'utf8'), salt, EXPORT_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  key.fill(0);
  const pbkdf2Params = new asn1js.Sequence({
    value: [
      new asn1js.OctetString({ valueHex: salt }),
      new asn1js.Integer({ value: EXPORT_ITERATIONS }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.hmacWithSha256 }), new asn1js.Null()] }),
    ],
  });
  const pbes2Params = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.pbkdf2 }), pbkdf2Params] }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.aes256Cbc }), new asn1js.OctetString({ valueHex: iv })] }),
    ],
  });
  return { algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.pbes2, algorithmParams: pbes2Params }), ciphertext };
}

/**
 * An encrypted PKCS#8 key (RFC 5958 §3, ENCRYPTED PRIVATE KEY), under the same PBES2 and work factor as a
 * PKCS#12 export: Node's own `cipher` option would use OpenSSL's default of 2,048 PBKDF2 iterations.
 */
export async function exportEncryptedPrivateKey(privateKey: KeyObject, format: 'pem' | 'der', password: string): Promise<Buffer> {
  if (privateKey.type !== 'private') throw new SignetError('ERR_KEY_NO_PRIVATE', 'this key has only its public half; there is no private key to export');
  if (password === '') throw new SignetError('ERR_BAD_INPUT', 'an encrypted private key needs a password');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const sealed = await pbes2Encrypt(pkcs8, password);
  pkcs8.fill(0);
  const encryptedPrivateKeyInfo = new asn1js.Sequence({ value: [sealed.algorithm.toSchema(), new asn1js.OctetString({ valueHex: sealed.ciphertext })] });
  const der = Buffer.from(encryptedPrivateKeyInfo.toBER());
  return format === 'der' ? der : Buffer.from(toPem('ENCRYPTED PRIVATE KEY', der), 'utf8');
}
