// Kept free of Node types: findings travel to the renderer as they are.

/** The exact verdict vocabulary of inspection (the JSON output uses these words). */
export const VERDICTS = [
  'valid',
  'invalid',
  'unknown-key',
  'revoked-key',
  'expired-key',
  'expired',
  'replay',
  'clock-skew',
  'malformed',
  'decrypted',
  'undecryptable',
  'violation',
  'known',
  'unknown',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that make `capture verify` exit 1. */
export const FAILING_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
  'invalid',
  'revoked-key',
  'expired-key',
  'expired',
  'replay',
  'clock-skew',
  'violation',
  'malformed',
]);

/** Higher is worse; lists sort problems first by it. */
export const SEVERITY: Record<Verdict, number> = {
  valid: 0,
  known: 0,
  decrypted: 0,
  unknown: 1,
  'unknown-key': 2,
  undecryptable: 2,
  'clock-skew': 3,
  expired: 3,
  'expired-key': 3,
  replay: 4,
  violation: 4,
  'revoked-key': 5,
  malformed: 5,
  invalid: 6,
};

export const SCHEMES = ['jws', 'jws-detached', 'jwt', 'jwe', 'hmac-opg', 'api-key', 'key-agreement', 'policy', 'capture'] as const;
export type SchemeName = (typeof SCHEMES)[number];

/** One step of the verification trace: kid → key → status at that time → result. */
export interface TraceStep {
  step: 'kid' | 'key' | 'status' | 'check' | 'result';
  label: string;
  value: string;
  ok?: boolean;
}

export interface Finding {
  /** 0-based index of the entry in file order. */
  exchange: number;
  direction: 'request' | 'response';
  scheme: SchemeName;
  /** `body` or `header:<name>`. */
  location: string;
  verdict: Verdict;
  kid?: string;
  keyId?: string;
  alg?: string;
  detail: string;
  trace?: TraceStep[];
}

export function isFailing(verdict: Verdict): boolean {
  return FAILING_VERDICTS.has(verdict);
}
