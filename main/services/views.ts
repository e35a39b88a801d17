// What services hand to adapters and the renderer: plain JSON (ISO 8601 times), no Node types, so
// the renderer can import these through the contract.
import type { CertificateInfo } from '../core/keys/certificate-info.ts';
import type { Finding, Verdict } from '../core/inspect/findings.ts';
import type { DecodedPayload } from '../core/jose/decode.ts';
import type { BodyCapture } from '../core/traffic/exchange.ts';

export type { BodyCapture };
import type { Curve, KeyType, KeyUse } from '../core/keys/names.ts';

export type { CertificateInfo, Curve, KeyType, KeyUse };
/** A payload as a debugger shows it: JSON when it parses, text when printable, else base64. */
export type DecodedPayloadView = DecodedPayload;
export type { Finding, SchemeName, TraceStep, Verdict } from '../core/inspect/findings.ts';

export type KeyStatus = 'pending' | 'active' | 'revoked' | 'expired';

export interface KeyView {
  id: string;
  kid: string;
  name: string;
  owner: string;
  environment: string;
  type: KeyType;
  size: number | null;
  curve: Curve | null;
  alg: string | null;
  /** `alg` is the only algorithm the key is used with (it was chosen: JWK "alg", --alg), not a default. */
  algPinned: boolean;
  use: KeyUse | null;
  /** Effective status now (or at the time asked for). */
  status: KeyStatus;
  expiringSoon: boolean;
  source: 'generated' | 'imported';
  appId: string | null;
  createdAt: string;
  notBefore: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  hasPrivate: boolean;
  thumbprint: string | null;
  certificate?: CertificateInfo;
}

/** A key no longer in the keystore, as the audit log remembers it (to filter its history on). */
export interface DeletedKeyView {
  keyId: string;
  kid: string | null;
  name: string | null;
  deletedAt: string;
}

/** A key as `keys import` returns it: new, or one already held that a certificate in the file was attached to. */
export interface ImportedKeyView extends KeyView {
  certificateAttached?: true;
}

export interface AuditEntryView {
  seq: number;
  at: string;
  action: string;
  keyId: string | null;
  detail: Record<string, unknown>;
  hash: string;
}

export interface KeyDetail extends KeyView {
  /** The public part, ready to copy (absent for HMAC secrets). */
  publicJwk: Record<string, unknown> | null;
  publicPem: string | null;
  chain: CertificateInfo[];
  audit: AuditEntryView[];
}

/** A file produced for the user; `content` is base64 so it crosses IPC/HTTP unchanged. */
export interface Artifact {
  fileName: string;
  mimeType: string;
  contentBase64: string;
  /** True when the bytes are text (PEM, JSON) and may be printed. */
  text: boolean;
}

export interface AuditChainView {
  ok: boolean;
  rows: number;
  /** The first row whose link does not hold, and why. */
  brokenAt?: { seq: number; reason: string };
}

export interface KeystoreStatusView {
  path: string;
  initialized: boolean;
  unlocked: boolean;
  schemaVersion: number;
  keyCount: number;
}


/** `signet capture verify --json`. */
export interface CaptureReport {
  exchanges: number;
  /** Every finding in file order; empty when they were handed over as they came (`onFindings`). */
  findings: Finding[];
  summary: Partial<Record<Verdict, number>>;
}

export interface CaptureView {
  id: string;
  name: string;
  format: 'har' | 'raw-http';
  fileName: string | null;
  bytes: number;
  importedAt: string;
  checkedAt: string | null;
  exchangeCount: number;
  summary: Partial<Record<Verdict, number>>;
}

export interface ExchangeRowView {
  index: number;
  startedAt: string | null;
  method: string;
  host: string;
  path: string;
  status: number | null;
  severity: number;
  /** `scheme:verdict` badges. */
  verdicts: string[];
}

/** A body as the console shows it: text when it is text, else base64; large bodies cut. */
export interface BodyView {
  size: number;
  mimeType: string | null;
  text?: string;
  base64?: string;
  truncated: boolean;
}

export interface DecodedJose {
  direction: 'request' | 'response';
  location: string;
  kind: 'jws' | 'jwe' | 'jws-detached';
  header: Record<string, unknown>;
  payload?: DecodedPayloadView;
  signature?: string;
  /** JWE plaintext, only when asked for (`reveal`) with the keystore unlocked; never stored. */
  plaintext?: BodyView;
}

export interface ExchangeDetail {
  captureId: string;
  index: number;
  startedAt: string | null;
  malformed: string | null;
  /** `bodyCapture`: set when the body shown is not the one sent (not recorded, or rebuilt from form fields). */
  request: { method: string; url: string; httpVersion: string; headers: [string, string][]; body: BodyView | null; bodyCapture?: BodyCapture };
  response: { status: number; statusText: string; httpVersion: string; headers: [string, string][]; body: BodyView | null; bodyCapture?: BodyCapture } | null;
  findings: Finding[];
  jose: DecodedJose[];
}

/** An API key as stored: never its value, only where it is sent and its last four characters. */
export interface ApiKeyView {
  id: string;
  name: string;
  header: string;
  last4: string;
  createdAt: string;
}


/** The workbench's verdict on one token: the capture vocabulary, plus what the token says. */
export interface TokenCheckView extends Omit<Finding, 'exchange' | 'direction' | 'scheme' | 'location'> {
  header: Record<string, unknown>;
  payload?: DecodedPayloadView;
  /** The moment the key's status was judged at. */
  at: string;
}

export interface EphemeralView {
  id: string;
  type: 'ec' | 'rsa';
  publicJwk: Record<string, unknown>;
  publicPem: string;
  createdAt: string;
  expiresAt: string;
  destroyedAt: string | null;
  destroyedWhy: 'used' | 'expired' | 'deleted' | null;
}

export interface AgreementView {
  ref: string;
  role: 'client' | 'server';
  scheme: string | null;
  agreed: boolean;
  createdAt: string;
  expiresAt: string;
}

/** Long work the console watches (imports, RSA-4096 generation): progress, outcome, cancel. */
export interface JobView {
  id: string;
  kind: string;
  label: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: { done: number; total: number | null; unit: string };
  result?: unknown;
  error?: { code: string; message: string };
  startedAt: string;
  finishedAt: string | null;
}

/** A signed part left as captured although it looks like it holds a credential. */
export interface KeptSigned {
  /** The exchange's number in the stored capture (`signet capture show ID --exchange N`). */
  exchange: number;
  direction: 'request' | 'response';
  part: 'body' | 'url';
}

/** The console's download of a sanitized HAR: the file, and what the CLI prints of it. */
export type SanitizedDownload = Artifact & Omit<SanitizedExport, 'path'>;

/** What a sanitized export wrote. */
export interface SanitizedExport {
  path: string;
  exchanges: number;
  /**
   * Signed parts that hold what looks like a credential, left as captured because redacting it would
   * break the signature: the partner will see it (warn before sending).
   */
  keptSigned: number;
  /** The first of them. */
  keptSignedAt: KeptSigned[];
  /** The warning to read before sending the file, naming the first of them; null when there is none. */
  keptSignedWarning: string | null;
}
