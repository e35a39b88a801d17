import type { NonceObservation } from '../opg/nonce-tracker.ts';
import type { KeyResolver } from './resolver.ts';

/** The inspection settings (defaults and validation live with the other settings in services). */
export interface InspectionSettings {
  /** Leeway for JWT exp/nbf/iat, seconds. */
  clockToleranceSec: number;
  /** Accepted JWT issuers and audiences; empty lists mean "not checked". */
  jwtIssuers: string[];
  jwtAudiences: string[];
  hmacProfile: string;
  /** Replay and skew window for X-OPG-Signature, seconds (partner 004: 5 minutes). */
  hmacWindowSec: number;
  /** Path prefixes of callbacks from the platform, which skip replay and skew checks (partner 004). */
  hmacCallbackPaths: string[];
  apiKeyHeaders: string[];
  /** Headers that carry a detached JWS over the body. */
  signatureHeaders: string[];
  /** Policy: hosts whose mutating requests must be JWS-signed (and whose GETs must not be). */
  signedRequestHosts: string[];
  /** Policy: hosts whose responses must be signed. */
  signedResponseHosts: string[];
  /** Policy: hosts every request to which must carry an API key (in one of `apiKeyHeaders`). */
  apiKeyHosts: string[];
}

export interface InspectionContext {
  settings: InspectionSettings;
  resolver: KeyResolver;
  /** Replay state across the whole capture, in file order (a NonceTracker, or a worker's recorder). */
  nonces: NonceObserver;
  /** When given, every exchange is judged as of this moment (`--at`). */
  at?: Date;
  /** Fallback for exchanges that carry no time. */
  now: Date;
}

/** What inspection needs of a NonceTracker. */
export interface NonceObserver {
  observe(appId: string, nonce: string, options?: { at?: Date; isCallback?: boolean }): NonceObservation;
}
