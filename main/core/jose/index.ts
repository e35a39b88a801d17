/**
 * JOSE for Signet: JWS (compact, detached, unencoded), JWT claims, JWE, and a key-less decoder.
 * The cryptography is jose's; what this module adds is the allow-lists, the refusals and one error
 * vocabulary.
 */
export {
  CONTENT_ENCRYPTION_ALGS,
  KEY_MANAGEMENT_ALGS,
  SIGNING_ALGS,
  allowedKeyManagementAlgs,
  allowedSigningAlgs,
  checkContentEncryptionAlg,
  checkKeyManagementAlg,
  checkSigningAlg,
  defaultKeyManagementAlg,
  defaultSigningAlg,
  type ContentEncryptionAlg,
  type KeyDescription,
  type KeyManagementAlg,
  type SigningAlg,
} from './algorithms.ts';
export { signCompact, signJwt, numericDate, type SignCompactInput, type SignJwtInput } from './sign.ts';
export {
  verifyCompact,
  verifyJwtClaims,
  type ClaimCheckOptions,
  type ClaimProblem,
  type ClaimProblemKind,
  type VerifiedJws,
  type VerifyCompactOptions,
} from './verify.ts';
export { encryptCompact, encryptFor, type EncryptCompactInput, type EncryptForOptions } from './encrypt.ts';
export { DEFAULT_MAX_PBES2_COUNT, decryptCompact, type DecryptCompactOptions, type DecryptedJwe } from './decrypt.ts';
export { decodeToken, describePayload, looksLikeJwe, looksLikeJws, type DecodedPayload, type DecodedToken } from './decode.ts';
export { DECRYPT_FAILED, VERIFY_FAILED } from './failures.ts';
