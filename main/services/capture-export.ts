import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { SignetError } from '../core/errors.ts';
import { captureRecord } from './captures.ts';
import { secretOf } from './key-records.ts';
import { describeFsError } from './fs-errors.ts';
import type { Session } from './session.ts';
import type { Artifact } from './views.ts';
import { readSettings } from './settings.ts';

/** Headers whose values are credentials: replaced entirely (the name stays, so the shape is kept). */
const CREDENTIAL_HEADERS = new Set(['cookie', 'set-cookie', 'proxy-authorization', 'x-api-key', 'api-key', 'x-auth-token']);
const SENSITIVE_QUERY = /([?&](?:access_token|api_key|apikey|token|key|secret|password|client_secret)=)[^&#]*/gi;

function redactAuthorization(value: string): string {
  const scheme = /^\s*(\S+)/.exec(value)?.[1] ?? '';
  // X-OPG-Signature is a signature, not a secret: kept so the partner can still check it.
  if (/^x-opg-signature$/i.test(scheme)) return value;
  return `${scheme} [redacted by Signet]`;
}

interface Redactor {
  header(name: string, value: string): string;
  text(text: string): string;
}

function redactor(session: Session): Redactor {
  const apiKeyHeaders = new Set(readSettings(session).inspection.apiKeyHeaders.map((name) => name.toLowerCase()));
  // Stored HMAC secrets that were pasted into traffic by mistake are scrubbed too: that needs them
  // unsealed, so an export from a keystore holding any asks for it to be unlocked (ERR_LOCKED) rather
  // than write a file that may carry one.
  const secrets = session.keys
    .list({ type: 'hmac' })
    .map((record) => (record.privateSealed ? secretOf(session, record).toString('utf8') : undefined))
    .filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted secret]'), text);
  return {
    header(name, value) {
      const lower = name.toLowerCase();
      if (lower === 'authorization') return scrub(redactAuthorization(value));
      if (CREDENTIAL_HEADERS.has(lower)) return '[redacted by Signet]';
      if (apiKeyHeaders.has(lower)) return `[redacted API key …${value.trim().slice(-4)}]`;
      return scrub(value);
    },
    text: (text) => scrub(text.replace(SENSITIVE_QUERY, '$1[redacted]')),
  };
}

function body(bytes: Buffer | null, mimeType: string | null, redact: Redactor): Record<string, unknown> {
  if (!bytes) return { size: 0, mimeType: mimeType ?? '' };
  const text = bytes.toString('utf8');
  // Bodies are kept (signed JWS and JWE must stay verifiable); binary ones as base64.
  return Buffer.from(text, 'utf8').equals(bytes)
    ? { size: bytes.length, mimeType: mimeType ?? '', text: redact.text(text) }
    : { size: bytes.length, mimeType: mimeType ?? '', text: bytes.toString('base64'), encoding: 'base64' };
}

/**
 * Writes a HAR safe to send to a partner: bearer tokens, cookies, API keys and any stored HMAC secret
 * redacted; signatures, JWS and JWE bodies kept so the partner can still verify them. Decrypted
 * plaintext is never stored, so it can never be exported. Written to a temporary file and renamed.
 */
export async function exportSanitized(session: Session, input: { id: string; path: string }): Promise<{ path: string; exchanges: number }> {
  const capture = captureRecord(session, input.id);
  const redact = redactor(session);
  const temporary = `${input.path}.${process.pid}.tmp`;
  const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644 });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let exchanges = 0;
  try {
    await once(out, 'open');
    await write(`{"log":{"version":"1.2","creator":{"name":"Signet","version":"0.1.0","comment":"sanitized: credentials redacted, signatures kept"},"entries":[\n`);
    for (const { startedAt, method, status, messages } of session.captures.messagesOf(capture.id)) {
      if (messages.malformed) continue;
      const entry = {
        startedDateTime: startedAt ?? new Date(0).toISOString(),
        time: 0,
        request: {
          method,
          url: redact.text(messages.url),
          httpVersion: messages.httpVersion,
          cookies: [],
          headers: messages.requestHeaders.map(([name, value]) => ({ name, value: redact.header(name, value) })),
          queryString: [],
          headersSize: -1,
          bodySize: messages.requestBody?.length ?? 0,
          ...(messages.requestBody && { postData: body(messages.requestBody, messages.requestMime, redact) }),
        },
        response: {
          status: status ?? 0,
          statusText: messages.statusText ?? '',
          httpVersion: messages.responseVersion ?? '',
          cookies: [],
          headers: (messages.responseHeaders ?? []).map(([name, value]) => ({ name, value: redact.header(name, value) })),
          content: body(messages.responseBody, messages.responseMime, redact),
          redirectURL: '',
          headersSize: -1,
          bodySize: messages.responseBody?.length ?? 0,
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
  session.transaction(() => session.audit.append('capture.exported', null, { captureId: capture.id, sanitized: true, exchanges }, session.clock()));
  return { path: input.path, exchanges };
}

const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/** The sanitized HAR as a download for the console (browser mode cannot be handed a path). */
export async function exportSanitizedArtifact(session: Session, input: { id: string }): Promise<Artifact> {
  const capture = captureRecord(session, input.id);
  const folder = await mkdtemp(join(tmpdir(), 'signet-export-'));
  try {
    const path = join(folder, 'sanitized.har');
    await exportSanitized(session, { id: input.id, path });
    const size = (await stat(path)).size;
    if (size > MAX_DOWNLOAD_BYTES) throw new SignetError('ERR_TOO_LARGE', `the sanitized capture is ${Math.round(size / 1048576)} MiB: export it to a file with "signet capture export ${capture.id} --sanitized --out FILE.har"`);
    const safeName = capture.name.replace(/\.har$/i, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || capture.id;
    return { fileName: `${safeName}.sanitized.har`, mimeType: 'application/json', contentBase64: (await readFile(path)).toString('base64'), text: true };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
