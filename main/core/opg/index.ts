/** OnePoint Global `X-OPG-Signature` HMAC request authentication: profiles, sign, parse, verify, replay. */
export {
  AUTH_SCHEME,
  DEFAULT_HMAC_PROFILE,
  DEFAULT_WINDOW_SEC,
  HMAC_PROFILES,
  canonicalString,
  parseOpgHeader,
  requestUriOf,
  resolveHmacProfile,
  signOpg,
  verifyOpg,
  type CanonicalField,
  type CanonicalRequest,
  type HmacProfile,
  type HmacProfileId,
  type OpgProblem,
  type OpgVerification,
  type ParsedOpgHeader,
  type SignOpgInput,
  type SignedOpgRequest,
  type VerifyOpgInput,
} from './hmac.ts';
export { NonceTracker, type NonceObservation, type NonceTrackerOptions } from './nonce-tracker.ts';
