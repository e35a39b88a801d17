import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { SignetError } from '../core/errors.ts';
import type { Finding } from '../core/inspect/findings.ts';
import type { BodyCapture } from '../core/traffic/exchange.ts';
import { redactedApiKey } from '../core/schemes/api-key.ts';
import { apiKeyHeaders } from './api-keys.ts';
import { captureRecord } from './captures.ts';
import { secretOf } from './key-records.ts';
import { describeFsError } from './fs-errors.ts';
import type { Session } from './session.ts';
import type { KeptSigned, SanitizedDownload, SanitizedExport } from './views.ts';
import { readSettings } from './settings.ts';

const REDACTED = '[redacted by Signet]';

/** Headers whose values are credentials: replaced entirely (the name stays, so the shape is kept). */
const CREDENTIAL_HEADERS = new Set(['cookie', 'set-cookie', 'proxy-authorization', 'authentication', 'ocp-apim-subscription-key', 'x-functions-key']);
/** …and any header named for one: X-Auth-Token, X-Access-Token, Private-Token, X-Amz-Security-Token, X-Api-Key. */
const CREDENTIAL_HEADER_NAME = /(?:^|-)(?:token|secret|password|passwd|credentials?|api-?key|session(?:-?id)?|sid|auth)(?:-|$)/i;

/**
 * Authentication schemes (the IANA registry's and common vendor ones) whose name is kept before the
 * redacted credentials. Any other value is redacted whole: its first word may be the secret (`sk_live_…`).
 */
const AUTH_SCHEMES = new Set(['basic', 'bearer', 'digest', 'negotiate', 'ntlm', 'hoba', 'mutual', 'oauth', 'dpop', 'gnap', 'privatetoken', 'scram-sha-1', 'scram-sha-256', 'vapid', 'concealed', 'aws4-hmac-sha256', 'hawk', 'token']);

/**
 * Names of fields that carry credentials, wherever they appear (query, form, multipart field, JSON
 * member), written with `_` between words: `access_token` also matches access-token and accessToken.
 * `code` (an OAuth authorization code) and `key` are only taken as parameters and form fields: as JSON
 * members they name error codes and map keys far more often than secrets.
 */
const CREDENTIAL_NAMES = [
  'access_token', 'refresh_token', 'id_token', 'auth_token', 'session_token', 'private_token', 'client_secret', 'client_assertion', 'assertion',
  'api_key', 'apikey', 'token', 'secret', 'password', 'passwd', 'pass', 'pwd', 'passphrase', 'pin', 'otp', 'code_verifier', 'session', 'session_id',
  'sid', 'auth', 'authorization', 'x-amz-security-token',
];
const PARAMETER_ONLY = ['code', 'key'];
/** A name as a pattern: `_` matches `_`, `-` or nothing, so the spellings of one name are one entry. */
const namePattern = (names: string[]) => names.map((name) => name.replace(/_/g, '[_-]?')).join('|');

/**
 * Parameters that carry credentials: in query strings and fragments (`#access_token=` of an OAuth
 * redirect), form bodies (the first field too) and URLs inside headers (Referer, Location). The value
 * stops at a quote or space, so a URL inside a JSON string leaves the JSON valid.
 */
const CREDENTIAL_PARAM = new RegExp(`((?:^|[?&#;])(?:${namePattern([...CREDENTIAL_NAMES, ...PARAMETER_ONLY])})=)[^&#;\\s"'<>\\\\]*`, 'gim');
/** `user:password@` before a host, in any URL. */
const USERINFO = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"'<>]+@/gi;
/** Signature headers besides the detached-JWS ones of the settings: X-KLIX-Signature, X-Hub-Signature-256, Signature-Input. */
const SIGNATURE_HEADER_NAME = /(?:^|-)signature(?:-|$)/i;
/** JSON members whose string values are credentials, compared without case, `_` or `-` (access_token, accessToken). */
const CREDENTIAL_MEMBERS = new Set(CREDENTIAL_NAMES.map((name) => name.replace(/[_-]/g, '')));
/** The value of a multipart form field named for a credential (the part's first line: passwords are one line). */
const MULTIPART_CREDENTIAL = new RegExp(
  `(content-disposition:[^\\r\\n]*;\\s*name="?(?:${namePattern([...CREDENTIAL_NAMES, ...PARAMETER_ONLY])})(?=["';\\s])[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n)[^\\r\\n]*`,
  'gi',
);

function redactAuthorization(value: string): string {
  // RFC 9110 §11.4: a scheme is a token followed by a space and the credentials.
  const scheme = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s+\S/.exec(value)?.[1] ?? '';
  // X-OPG-Signature is a signature, not a secret: kept so the partner can still check it.
  if (/^x-opg-signature$/i.test(scheme)) return value;
  return AUTH_SCHEMES.has(scheme.toLowerCase()) ? `${scheme} ${REDACTED}` : REDACTED;
}

/** Where the JSON string opening at `start` ends (after its closing quote), or -1 if it never does. */
function stringEnd(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (char === 0x5c) at++;
    else if (char === 0x22) return at + 1;
  }
  return -1;
}

const MEMBER_STRING_VALUE = /\s*:\s*"/y;

/**
 * Replaces the string values of credential members. A scan from string to string rather than a regular
 * expression: it never reads a name from inside a value, and stays linear on bodies that are not JSON.
 */
function redactJsonMembers(text: string): string {
  let out = '';
  let copied = 0;
  let valueNext = false;
  for (let at = text.indexOf('"'); at >= 0; ) {
    const end = stringEnd(text, at);
    if (end < 0) break;
    if (valueNext) {
      out += `${text.slice(copied, at)}"[redacted]"`;
      copied = end;
      valueNext = false;
    } else if (CREDENTIAL_MEMBERS.has(text.slice(at + 1, end - 1).toLowerCase().replace(/[_-]/g, ''))) {
      MEMBER_STRING_VALUE.lastIndex = end;
      valueNext = MEMBER_STRING_VALUE.test(text);
    }
    at = text.indexOf('"', end);
  }
  return out + text.slice(copied);
}

interface Redactor {
  header(name: string, value: string): string;
  /** Bodies, URLs and header values: credential parameters and JSON members, userinfo, stored secrets. */
  text(text: string): string;
}

function redactor(session: Session): Redactor {
  const apiKeyNames = new Set(apiKeyHeaders(session).map((name) => name.toLowerCase()));
  const signatureHeaders = new Set(readSettings(session).inspection.signatureHeaders.map((name) => name.toLowerCase()));
  // Stored HMAC secrets that were pasted into traffic by mistake are scrubbed too: that needs them
  // unsealed, so an export from a keystore holding any asks for it to be unlocked (ERR_LOCKED) rather
  // than write a file that may carry one.
  const secrets = session.keys
    .list({ type: 'hmac' })
    .map((record) => (record.privateSealed ? secretOf(session, record).toString('utf8') : undefined))
    .filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted secret]'), text);
  const text = (value: string) =>
    scrub(redactJsonMembers(value).replace(CREDENTIAL_PARAM, '$1[redacted]').replace(MULTIPART_CREDENTIAL, '$1[redacted]').replace(USERINFO, '$1[redacted]@'));
  return {
    header(name, value) {
      const lower = name.toLowerCase();
      // Signatures are not secrets: kept as they are (like X-OPG-Signature) so the partner can check them.
      if (signatureHeaders.has(lower) || SIGNATURE_HEADER_NAME.test(lower)) return value;
      if (lower === 'authorization') return scrub(redactAuthorization(value));
      if (apiKeyNames.has(lower)) return redactedApiKey(value);
      if (CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_HEADER_NAME.test(lower)) return REDACTED;
      return text(value);
    },
    text,
  };
}

type Direction = KeptSigned['direction'];

/**
 * What the signatures of an exchange cover, by its stored findings: a JWS body, the body under a
 * detached JWS, and the body and request target under X-OPG-Signature (a JWE's body is integrity
 * protected too). Rewriting any of them would turn a valid signature invalid.
 */
function signedParts(findings: Finding[]): { bodies: Set<Direction>; target: boolean } {
  const bodies = new Set<Direction>();
  let target = false;
  for (const finding of findings) {
    if (finding.scheme === 'jws-detached' || (finding.location === 'body' && (finding.scheme === 'jws' || finding.scheme === 'jwe'))) bodies.add(finding.direction);
    if (finding.scheme === 'hmac-opg') {
      bodies.add('request');
      target = true;
    }
  }
  return { bodies, target };
}

const KEPT_SIGNED_LISTED = 100;

/** Text in a single-byte encoding: no control characters but tab and line breaks. */
const LEGACY_TEXT = /^[\t\n\r\x20-\x7e\x80-\xff]*$/;

/**
 * A body the original capture did not record, or rebuilt from form fields, is marked so in the export
 * (custom `_` fields, which HAR readers ignore and Signet reads back): otherwise the partner would check
 * signatures over an empty or rebuilt body and see "invalid" where Signet said it cannot tell.
 */
function bodyCaptureFields(capture: BodyCapture | null): { _bodyNotRecorded?: true; _bodyRebuilt?: true } {
  if (capture === 'missing') return { _bodyNotRecorded: true };
  if (capture === 'rebuilt') return { _bodyRebuilt: true };
  return {};
}

interface HarContent {
  size: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
}

function content(bytes: Buffer, text: string | undefined, mimeType: string | null): HarContent {
  return text === undefined
    ? { size: bytes.length, mimeType: mimeType ?? '', text: bytes.toString('base64'), encoding: 'base64' }
    : { size: Buffer.byteLength(text), mimeType: mimeType ?? '', text };
}

/**
 * Writes a HAR safe to send to a partner: bearer tokens, cookies, API keys, credential parameters and
 * members, and any stored HMAC secret redacted; signatures, and every part a signature covers, kept so
 * the partner can still verify them (such a part holding a credential is reported, not rewritten).
 * Decrypted plaintext is never stored, so it can never be exported. Written to a temporary file and renamed.
 */
export async function exportSanitized(session: Session, input: { id: string; path: string; overwrite?: boolean }): Promise<SanitizedExport> {
  const capture = captureRecord(session, input.id);
  if (!input.overwrite && existsSync(input.path)) throw new SignetError('ERR_BAD_INPUT', `${input.path} already exists: choose another name, or replace it (--force)`);
  const redact = redactor(session);
  // An exchange without a time (raw HTTP without Date) was judged as of --at, else of the import:
  // written with that moment, re-verifying the export gives the stored verdicts (1970 made every key "not yet active").
  const judgedAt = (capture.checkedAt ?? capture.importedAt).toISOString();
  const temporary = `${input.path}.${process.pid}.tmp`;
  const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644 });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let exchanges = 0;
  let keptSigned = 0;
  const keptSignedAt: KeptSigned[] = [];
  try {
    await once(out, 'open');
    const log = { name: 'Signet', version: '0.1.0', comment: 'sanitized: credentials redacted, signatures kept' };
    const judged = capture.checkedAt ? `,"comment":${JSON.stringify(`judged in Signet as of ${judgedAt}: verify with --at ${judgedAt} for the same verdicts`)}` : '';
    await write(`{"log":{"version":"1.2","creator":${JSON.stringify(log)}${judged},"entries":[\n`);
    for (const { index, startedAt, method, status, messages } of session.captures.messagesOf(capture.id)) {
      if (messages.malformed) continue;
      // Findings are read only for an exchange where redaction would change a part (rare), not for every one.
      let signed: ReturnType<typeof signedParts> | undefined;
      const signedHere = () => (signed ??= signedParts(session.captures.exchange(capture.id, index)?.findings ?? []));
      const unlessSigned = (original: string, redacted: string, direction: Direction, part: KeptSigned['part']): string => {
        if (redacted === original) return original;
        const covered = part === 'url' ? signedHere().target : signedHere().bodies.has(direction);
        if (!covered) return redacted;
        if (keptSigned++ < KEPT_SIGNED_LISTED) keptSignedAt.push({ exchange: index, direction, part });
        return original;
      };
      const body = (bytes: Buffer | null, mimeType: string | null, direction: Direction): HarContent => {
        if (!bytes) return { size: 0, mimeType: mimeType ?? '' };
        const text = bytes.toString('utf8');
        if (Buffer.from(text, 'utf8').equals(bytes)) return content(bytes, unlessSigned(text, redact.text(text), direction, 'body'), mimeType);
        // Text in another encoding (a Latin-1 form post) is redacted too, and written as base64; binary
        // bodies (images) are left untouched, as rewriting them could only corrupt them.
        if (!LEGACY_TEXT.test(bytes.subarray(0, 64 * 1024).toString('latin1'))) return content(bytes, undefined, mimeType);
        const latin1 = bytes.toString('latin1');
        const redacted = unlessSigned(latin1, redact.text(latin1), direction, 'body');
        return content(redacted === latin1 ? bytes : Buffer.from(redacted, 'latin1'), undefined, mimeType);
      };
      // Userinfo is never signed; the path and query are, under X-OPG-Signature.
      const [, origin = '', target = ''] = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?(.*)$/is.exec(messages.url) ?? [];
      const postData = messages.requestBody && body(messages.requestBody, messages.requestMime, 'request');
      const responseContent = body(messages.responseBody, messages.responseMime, 'response');
      const entry = {
        startedDateTime: startedAt ?? judgedAt,
        ...(!startedAt && { comment: 'the capture gave no time: this is the moment Signet judged the exchange at' }),
        time: 0,
        request: {
          method,
          url: redact.text(origin) + unlessSigned(target, redact.text(target), 'request', 'url'),
          httpVersion: messages.httpVersion,
          cookies: [],
          headers: messages.requestHeaders.map(([name, value]) => ({ name, value: redact.header(name, value) })),
          queryString: [],
          headersSize: -1,
          bodySize: postData ? postData.size : -1,
          ...(postData && { postData }),
          ...bodyCaptureFields(messages.requestBodyCapture),
        },
        response: {
          status: status ?? 0,
          statusText: messages.statusText ?? '',
          httpVersion: messages.responseVersion ?? '',
          cookies: [],
          headers: (messages.responseHeaders ?? []).map(([name, value]) => ({ name, value: redact.header(name, value) })),
          content: responseContent,
          redirectURL: '',
          headersSize: -1,
          bodySize: responseContent.size,
          ...bodyCaptureFields(messages.responseBodyCapture),
        },
        cache: {},
        timings: { send: 0, wait: 0, receive: 0 },
      };
      await write(`${exchanges ? ',\n' : ''}${JSON.stringify(entry)}`);
      exchanges++;
    }
    await write('\n]}}\n');
    out.end();
    await once(out, 'finish');
    await rename(temporary, input.path);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_UNREADABLE', `cannot write ${input.path}: ${describeFsError(error)}`);
  }
  session.transaction(() => session.audit.append('capture.exported', null, { captureId: capture.id, sanitized: true, exchanges, keptSigned }, session.clock()));
  return { path: input.path, exchanges, keptSigned, keptSignedAt, keptSignedWarning: keptSignedWarning(keptSigned, keptSignedAt) };
}

const KEPT_SIGNED_NAMED = 10;

/** Said by the CLI and the console alike: redacting inside a signed part would break its signature. */
function keptSignedWarning(count: number, first: KeptSigned[]): string | null {
  if (count === 0) return null;
  const places = first.slice(0, KEPT_SIGNED_NAMED).map((kept) => `#${kept.exchange} ${kept.direction} ${kept.part}`).join(', ');
  const one = count === 1;
  return `${count} signed part${one ? '' : 's'} that look${one ? 's' : ''} to hold a credential ${one ? 'was' : 'were'} kept as captured, so the signature still verifies (${places}${count > KEPT_SIGNED_NAMED ? ', …' : ''}): check the file before sending it.`;
}

const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/** The sanitized HAR as a download for the console (browser mode cannot be handed a path), with what it holds. */
export async function exportSanitizedArtifact(session: Session, input: { id: string }): Promise<SanitizedDownload> {
  const capture = captureRecord(session, input.id);
  const folder = await mkdtemp(join(tmpdir(), 'signet-export-'));
  try {
    const path = join(folder, 'sanitized.har');
    const { path: _path, ...held } = await exportSanitized(session, { id: input.id, path });
    const size = (await stat(path)).size;
    if (size > MAX_DOWNLOAD_BYTES) throw new SignetError('ERR_TOO_LARGE', `the sanitized capture is ${Math.round(size / 1048576)} MiB: export it to a file with "signet capture export ${capture.id} --sanitized --out FILE.har"`);
    const safeName = capture.name.replace(/\.har$/i, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || capture.id;
    return { fileName: `${safeName}.sanitized.har`, mimeType: 'application/json', contentBase64: (await readFile(path)).toString('base64'), text: true, ...held };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
