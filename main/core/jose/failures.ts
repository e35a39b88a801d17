import { errors } from 'jose';
import { SignetError, isSignetError } from '../errors.ts';

/**
 * Turns whatever jose or WebCrypto threw into a SignetError. Cryptographic failures get fixed texts
 * (as jose's own errors do) so that the message says nothing an attacker could use; structural
 * problems keep jose's description, which is about the token's shape only.
 */

export const VERIFY_FAILED = 'signature verification failed';
export const DECRYPT_FAILED = 'decryption failed';

export function fromSigningFailure(error: unknown, alg: string): SignetError {
  if (isSignetError(error)) return error;
  if (error instanceof errors.JWSInvalid) return new SignetError('ERR_JOSE_MALFORMED', `JWS refused: ${error.message}`);
  if (error instanceof errors.JOSENotSupported) return new SignetError('ERR_JOSE_UNSUPPORTED', `${alg} is not supported by this runtime`);
  return keyProblem(error, alg) ?? new SignetError('ERR_INTERNAL', `signing with ${alg} failed`);
}

export function fromVerificationFailure(error: unknown, alg: string): SignetError {
  if (isSignetError(error)) return error;
  if (error instanceof errors.JWSSignatureVerificationFailed) return new SignetError('ERR_VERIFY_FAILED', VERIFY_FAILED);
  if (error instanceof errors.JWSInvalid) return new SignetError('ERR_JOSE_MALFORMED', `JWS refused: ${error.message}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${alg} is not allowed here`);
  if (error instanceof errors.JOSENotSupported) return new SignetError('ERR_JOSE_UNSUPPORTED', 'the JWS uses a feature Signet does not support');
  return keyProblem(error, alg) ?? new SignetError('ERR_VERIFY_FAILED', VERIFY_FAILED);
}

export function fromEncryptionFailure(error: unknown, alg: string): SignetError {
  if (isSignetError(error)) return error;
  if (error instanceof errors.JWEInvalid) return new SignetError('ERR_JOSE_MALFORMED', `JWE refused: ${error.message}`);
  if (error instanceof errors.JOSENotSupported) return new SignetError('ERR_JOSE_UNSUPPORTED', `${alg} is not supported by this runtime`);
  return keyProblem(error, alg) ?? new SignetError('ERR_INTERNAL', `encryption with ${alg} failed`);
}

export function fromDecryptionFailure(error: unknown, alg: string): SignetError {
  if (isSignetError(error)) return error;
  if (error instanceof errors.JWEInvalid) return new SignetError('ERR_JOSE_MALFORMED', `JWE refused: ${error.message}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${alg} is not allowed here`);
  if (error instanceof errors.JOSENotSupported) return new SignetError('ERR_JOSE_UNSUPPORTED', 'the JWE uses a feature Signet does not support');
  return keyProblem(error, alg) ?? new SignetError('ERR_DECRYPT_FAILED', DECRYPT_FAILED);
}

/** jose reports an unusable key (wrong type, RSA under 2048 bits) as a TypeError before any crypto. */
function keyProblem(error: unknown, alg: string): SignetError | undefined {
  if (!(error instanceof TypeError)) return undefined;
  if (/modulusLength/.test(error.message)) {
    return new SignetError('ERR_KEY_UNSUITABLE', `${alg} needs an RSA key of at least 2048 bits (RFC 7518 §3.3)`);
  }
  return new SignetError('ERR_KEY_UNSUITABLE', `this key cannot be used with ${alg}`);
}
