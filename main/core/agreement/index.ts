/**
 * `POST /key-agreement` (partner spec 002), both sides: message validation, the DH/ECDH groups, the
 * derivation profile (signet-v1, documented byte-exactly in docs/key-agreement.md) and the sealing
 * of the sensitive fields that follow.
 */
export { FFDHE3072_PRIME_HEX, GROUPS, MODP14_PRIME_HEX, type AgreementGroup, type GroupId } from './groups.ts';
export {
  AGREEMENT_PROFILE_IDS,
  AGREEMENT_PROFILES,
  DEFAULT_AGREEMENT_PROFILE,
  SCHEMES,
  checkSchemeId,
  isSchemeId,
  resolveAgreementProfile,
  type AgreementProfile,
  type AgreementProfileId,
  type SchemeId,
  type SchemeParameters,
} from './schemes.ts';
export {
  LIMITS,
  parseClientSpec,
  parseServerInfo,
  type ClientKeyDerivationSpec,
  type ParsedClientSpec,
  type ParsedServerInfo,
  type ServerKeyDerivationInfo,
} from './messages.ts';
export {
  answerClientSpec,
  createClientSpec,
  deriveKeys,
  finishAgreement,
  transcript,
  type AnswerClientSpecInput,
  type CreateClientSpecInput,
  type DerivedKeys,
  type TranscriptFields,
} from './derive.ts';
export { openField, sealField } from './seal.ts';
