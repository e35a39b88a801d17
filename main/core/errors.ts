/**
 * One error hierarchy for the whole app (in the manner of jose's `errors` module): every failure a
 * user can meet is a SignetError with a stable `code` and a message they can act on. Adapters map
 * codes to exit codes, HTTP status and UI text in one place (`exitCodeFor`, `httpStatusFor`).
 * Messages never carry secret material; crypto failures use fixed texts.
 */
export type ErrorCode =
  | 'ERR_BAD_INPUT'
  | 'ERR_UNKNOWN_METHOD'
  | 'ERR_UNREADABLE'
  | 'ERR_TOO_LARGE'
  | 'ERR_STORE_NOT_INITIALIZED'
  | 'ERR_STORE_EXISTS'
  | 'ERR_STORE_TOO_NEW'
  | 'ERR_STORE_CORRUPT'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_REPLACED'
  | 'ERR_LOCKED'
  | 'ERR_BAD_PASSPHRASE'
  | 'ERR_PASSPHRASE_REQUIRED'
  | 'ERR_SEAL_TAMPERED'
  | 'ERR_BACKUP_CORRUPT'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_AMBIGUOUS'
  | 'ERR_KEY_EXISTS'
  | 'ERR_KEY_UNSUITABLE'
  | 'ERR_KEY_NO_PRIVATE'
  | 'ERR_KEY_FORMAT'
  | 'ERR_BAD_PASSWORD'
  | 'ERR_POLICY'
  | 'ERR_ALG_NOT_ALLOWED'
  | 'ERR_CERT'
  | 'ERR_JOSE_MALFORMED'
  | 'ERR_JOSE_UNSUPPORTED'
  | 'ERR_VERIFY_FAILED'
  | 'ERR_DECRYPT_FAILED'
  | 'ERR_HMAC_MALFORMED'
  | 'ERR_AGREEMENT'
  | 'ERR_AGREEMENT_MALFORMED'
  | 'ERR_SESSION_DESTROYED'
  | 'ERR_HAR_MALFORMED'
  | 'ERR_HTTP_MALFORMED'
  | 'ERR_NOT_FOUND'
  | 'ERR_CANCELLED'
  | 'ERR_DELIVERY'
  | 'ERR_INTERNAL';

export class SignetError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignetError';
    this.code = code;
  }
}

export function isSignetError(value: unknown): value is SignetError {
  return value instanceof SignetError;
}

/** The shape an error takes when it crosses a boundary (IPC, HTTP, JSON output): no stack. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * Anything thrown becomes an ErrorBody. Unknown exceptions are reported with a fixed text so that
 * library internals (and whatever they may have put in a message) never reach a user.
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (isSignetError(error)) return { code: error.code, message: error.message };
  return storeFailure((error as { code?: unknown } | null)?.code) ?? { code: 'ERR_INTERNAL', message: 'internal error (this is a bug in Signet; nothing was changed)' };
}

/**
 * The keystore file failing under a statement (better-sqlite3 puts SQLite's extended result code in
 * `code`): a full disk or another process holding the store is not a bug, and the user can act on it.
 * Every write runs in a transaction, so in each case nothing was changed.
 */
function storeFailure(code: unknown): ErrorBody | undefined {
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const [, kind] = /^SQLITE_([A-Z]+)/.exec(code) ?? [];
  switch (kind) {
    case 'FULL':
      return { code: 'ERR_STORE_UNAVAILABLE', message: 'the disk holding the keystore is full: free some space and try again (nothing was changed)' };
    case 'BUSY':
    case 'LOCKED':
      return { code: 'ERR_STORE_UNAVAILABLE', message: 'the keystore is busy in another Signet process: try again in a moment (nothing was changed)' };
    case 'READONLY':
    case 'PERM':
    case 'AUTH':
      return { code: 'ERR_STORE_UNAVAILABLE', message: 'the keystore cannot be written (a read-only file, folder or disk): nothing was changed' };
    case 'IOERR':
    case 'CANTOPEN':
      return { code: 'ERR_STORE_UNAVAILABLE', message: 'the disk failed to read or write the keystore: nothing was changed' };
    case 'CORRUPT':
    case 'NOTADB':
      return { code: 'ERR_STORE_CORRUPT', message: 'the keystore file is damaged (SQLite found it corrupt): restore it from a backup' };
    default:
      return undefined;
  }
}

/**
 * Codes that mean "a check ran and failed" (exit 1); everything else is bad usage or input (exit 2).
 * A JWE that does not open (a changed byte fails its tag) is a failed check, like a bad signature.
 */
const CHECK_FAILED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ERR_VERIFY_FAILED', 'ERR_AGREEMENT', 'ERR_DECRYPT_FAILED']);

export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return CHECK_FAILED.has(code) ? 1 : 2;
}

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'ERR_UNKNOWN_METHOD':
    case 'ERR_KEY_NOT_FOUND':
    case 'ERR_NOT_FOUND':
      return 404;
    case 'ERR_LOCKED':
    case 'ERR_BAD_PASSPHRASE':
    case 'ERR_PASSPHRASE_REQUIRED':
      return 403;
    case 'ERR_KEY_EXISTS':
    case 'ERR_STORE_EXISTS':
    case 'ERR_STORE_REPLACED':
      return 409;
    case 'ERR_TOO_LARGE':
      return 413;
    case 'ERR_STORE_UNAVAILABLE':
      return 503;
    case 'ERR_INTERNAL':
      return 500;
    default:
      return 400;
  }
}
