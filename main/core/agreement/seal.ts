import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SignetError } from '../errors.ts';

/**
 * The "encrypted sensitive information" that follows an agreement (docs/key-agreement.md §5):
 * Base64( IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes) ), AES-128-GCM or AES-256-GCM by the
 * length of the shared key, additional data = the UTF-8 client_reference_id, so a field sealed for
 * one agreement cannot be replayed into another.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

function cipherFor(sharedKey: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' {
  if (sharedKey.length === 16) return 'aes-128-gcm';
  if (sharedKey.length === 32) return 'aes-256-gcm';
  throw new SignetError('ERR_BAD_INPUT', `a key-agreement key is 16 or 32 bytes; this one is ${sharedKey.length}`);
}

export function sealField(sharedKey: Uint8Array, plaintext: string | Uint8Array, clientReferenceId: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(cipherFor(sharedKey), sharedKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(clientReferenceId, 'utf8'));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
}

export function openField(sharedKey: Uint8Array, sealed: string, clientReferenceId: string): Buffer {
  const algorithm = cipherFor(sharedKey);
  const envelope = Buffer.from(sealed, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(sealed) || envelope.toString('base64') !== sealed) {
    throw new SignetError('ERR_AGREEMENT_MALFORMED', 'a sealed field is standard Base64 of iv ‖ ciphertext ‖ tag');
  }
  if (envelope.length < IV_BYTES + TAG_BYTES) {
    throw new SignetError('ERR_AGREEMENT_MALFORMED', `a sealed field is at least ${IV_BYTES + TAG_BYTES} bytes (iv ‖ ciphertext ‖ tag)`);
  }
  const iv = envelope.subarray(0, IV_BYTES);
  const tag = envelope.subarray(envelope.length - TAG_BYTES);
  const decipher = createDecipheriv(algorithm, sharedKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(clientReferenceId, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(envelope.subarray(IV_BYTES, envelope.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SignetError('ERR_DECRYPT_FAILED', 'decryption failed');
  }
}
