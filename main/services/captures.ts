import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { SignetError } from '../core/errors.ts';
import { SEVERITY, type Finding, type Verdict } from '../core/inspect/findings.ts';
import { countVerdicts } from '../core/inspect/inspector.ts';
import { decodeToken } from '../core/jose/decode.ts';
import { requestUriOf } from '../core/opg/hmac.ts';
import { redactedApiKey } from '../core/schemes/api-key.ts';
import { openJwe } from '../core/schemes/jwe.ts';
import { hostOf } from '../core/schemes/scheme.ts';
import type { Exchange } from '../core/traffic/exchange.ts';
import { parseExpiry } from '../core/time.ts';
import type { CaptureRecord, ExchangeMessages, ExchangeRow } from '../store/captures.ts';
import { apiKeyHeaders } from './api-keys.ts';
import { captureSize, inspectFile, sniffFormat, type InspectOptions } from './inspection.ts';
import { keyResolver } from './key-resolver.ts';
import type { Session } from './session.ts';
import type { BodyView, CaptureReport, CaptureView, DecodedJose, ExchangeDetail, ExchangeRowView } from './views.ts';

export interface VerifyOptions extends InspectOptions {
  /**
   * Takes each exchange's findings, in file order, as they are produced, instead of the report: the
   * report then has the count and the summary but `findings: []`, so memory stays bounded however many
   * there are (a gigabyte capture of small exchanges holds millions). A returned promise is awaited
   * before the next exchange (output backpressure).
   */
  onFindings?: (findings: Finding[]) => void | Promise<void>;
}

/** Inspects a capture without storing anything (`signet capture verify`). */
export async function verifyCapture(session: Session, options: VerifyOptions): Promise<CaptureReport> {
  const { onFindings } = options;
  const findings: Finding[] = [];
  const summary: Partial<Record<Verdict, number>> = {};
  let exchanges = 0;
  for await (const item of inspectFile(session, options)) {
    exchanges++;
    countVerdicts(item.findings, summary);
    if (!onFindings) findings.push(...item.findings);
    else if (item.findings.length > 0) await onFindings(item.findings);
  }
  return { exchanges, findings, summary };
}

/**
 * Rows are written in transactions of at most 100 rows or 1 MiB of bodies, with a turn of the event
 * loop between them: measured on 100 000 signed exchanges, 1000-row transactions held the thread for
 * 50–80 ms each (issue 7 allows 50 ms at p99), 100-row ones for under 20 ms, at the same import speed.
 * (Measured and dropped: writing the rows on a thread of their own — on 2 cores no faster, and that
 * thread's malloc arena added ~40 MB to the peak; checkpointing the WAL from another connection —
 * lock waits made the stalls longer.) The capture stays invisible ('importing') until the last one lands.
 */
const BATCH_ROWS = 100;
const BATCH_BYTES = 1024 * 1024;

export interface ImportOptions extends InspectOptions {
  name?: string;
}

/**
 * Stores a capture with its findings. Long imports commit in batches (the keystore stays usable), but
 * the capture is only listed once complete: a failed, cancelled or killed import leaves nothing
 * visible, and its rows are removed (here, or on the next open after a crash).
 */
export async function importCapture(session: Session, options: ImportOptions): Promise<CaptureView> {
  const id = `c_${randomBytes(8).toString('hex')}`;
  const importedAt = session.clock();
  const checkedAt = options.at ? parseExpiry(options.at, importedAt) : null;
  const format = await sniffFormat(options.path);
  session.transaction(() =>
    session.captures.begin({ id, name: options.name?.trim() || basename(options.path), format, fileName: basename(options.path), importedAt, checkedAt }),
  );
  session.importing.add(id);
  // The headers inspection judges as API keys (settings, and those of stored keys): stored as their last four.
  const apiKeyNames = new Set(apiKeyHeaders(session).map((name) => name.toLowerCase()));
  const summary: Partial<Record<Verdict, number>> = {};
  let exchangeCount = 0;
  let batch: { row: ExchangeRow; messages: ExchangeMessages; findings: Finding[] }[] = [];
  let batchBytes = 0;
  const flush = async () => {
    const rows = batch;
    batch = [];
    batchBytes = 0;
    if (rows.length === 0) return;
    session.captures.addBatch(id, rows);
    // Let other work (the UI's requests, progress) run between transactions.
    await new Promise((resolve) => setImmediate(resolve));
  };
  try {
    for await (const item of inspectFile(session, { ...options, withExchanges: true })) {
      exchangeCount++;
      countVerdicts(item.findings, summary);
      if (item.kind === 'malformed') batch.push({ row: malformedRow(item.entry.index, item.findings), messages: malformedMessages(item.entry.reason), findings: item.findings });
      else {
        const { exchange } = item;
        if (!exchange) throw new SignetError('ERR_INTERNAL', 'inspection returned an exchange without its messages');
        batch.push({ row: exchangeRow(exchange, item.findings), messages: exchangeMessages(exchange, apiKeyNames), findings: item.findings });
        batchBytes += (exchange.request.body?.length ?? 0) + (exchange.response?.body?.length ?? 0);
      }
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
    const bytes = await captureSize(options.path);
    session.transaction(() => {
      session.captures.complete(id, { bytes, format, exchangeCount, summary });
      session.audit.append('capture.imported', null, { captureId: id, file: basename(options.path), exchanges: exchangeCount, summary }, session.clock());
    });
  } catch (error) {
    // A restore in another process replaces the whole store, this import's capture row with it: the
    // next batch then fails on its foreign key. Not a cancel: the user stopped nothing, and must be told.
    const replaced = !(error instanceof SignetError) && !session.captures.exists(id);
    session.transaction(() => session.captures.delete(id));
    if (replaced) throw new SignetError('ERR_STORE_REPLACED', 'the import stopped: the keystore was restored from a backup meanwhile (nothing of this capture was stored; import it again)');
    throw error;
  } finally {
    session.importing.delete(id);
  }
  return showCapture(session, id);
}

function severityOf(findings: Finding[]): number {
  return findings.reduce((worst, finding) => Math.max(worst, SEVERITY[finding.verdict]), 0);
}

function badges(findings: Finding[]): string[] {
  return [...new Set(findings.map((finding) => `${finding.scheme}:${finding.verdict}`))];
}

function exchangeRow(exchange: Exchange, findings: Finding[]): ExchangeRow {
  let path: string;
  try {
    path = requestUriOf(exchange.request.url);
  } catch {
    path = exchange.request.url;
  }
  return {
    index: exchange.index,
    startedAt: exchange.startedAt?.toISOString() ?? null,
    method: exchange.request.method.toUpperCase(),
    host: hostOf(exchange.request),
    path,
    status: exchange.response?.status ?? null,
    severity: severityOf(findings),
    verdicts: badges(findings),
  };
}

function malformedRow(index: number, findings: Finding[]): ExchangeRow {
  return { index, startedAt: null, method: '?', host: '', path: '', status: null, severity: severityOf(findings), verdicts: badges(findings) };
}

const pairs = (headers: { name: string; value: string }[]): [string, string][] => headers.map((header) => [header.name, header.value]);

/**
 * A request's headers as stored: API keys as their last four characters only, as the keystore keeps every
 * API key (DESIGN); their findings were made from the whole key before. Other credentials are kept as
 * captured, since signatures cover them (a sanitized export redacts what it can).
 */
const storedRequestHeaders = (headers: { name: string; value: string }[], apiKeyNames: ReadonlySet<string>): [string, string][] =>
  headers.map((header) => [header.name, apiKeyNames.has(header.name.toLowerCase()) && header.value.trim() ? redactedApiKey(header.value) : header.value]);
const bytesOf = (body: Uint8Array | null): Buffer | null => (body && body.length ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : null);

function exchangeMessages(exchange: Exchange, apiKeyNames: ReadonlySet<string>): ExchangeMessages {
  const { request, response } = exchange;
  return {
    url: request.url,
    httpVersion: request.httpVersion,
    requestHeaders: storedRequestHeaders(request.headers, apiKeyNames),
    requestBody: bytesOf(request.body),
    requestMime: request.bodyMimeType ?? null,
    statusText: response?.statusText ?? null,
    responseVersion: response?.httpVersion ?? null,
    responseHeaders: response ? pairs(response.headers) : null,
    responseBody: response ? bytesOf(response.body) : null,
    responseMime: response?.bodyMimeType ?? null,
    requestBodyCapture: request.bodyCapture ?? null,
    responseBodyCapture: response?.bodyCapture ?? null,
    malformed: null,
  };
}

function malformedMessages(reason: string): ExchangeMessages {
  return {
    url: '',
    httpVersion: '',
    requestHeaders: [],
    requestBody: null,
    requestMime: null,
    statusText: null,
    responseVersion: null,
    responseHeaders: null,
    responseBody: null,
    responseMime: null,
    requestBodyCapture: null,
    responseBodyCapture: null,
    malformed: reason,
  };
}

function toCaptureView(record: CaptureRecord): CaptureView {
  return {
    id: record.id,
    name: record.name,
    format: record.format,
    fileName: record.fileName,
    bytes: record.bytes,
    importedAt: record.importedAt.toISOString(),
    checkedAt: record.checkedAt?.toISOString() ?? null,
    exchangeCount: record.exchangeCount,
    summary: record.summary,
  };
}

export function listCaptures(session: Session): CaptureView[] {
  return session.captures.list().map(toCaptureView);
}

export function captureRecord(session: Session, id: string): CaptureRecord {
  const record = session.captures.get(id);
  if (!record) throw new SignetError('ERR_NOT_FOUND', `no capture "${id}" in this keystore (signet capture list shows them)`);
  return record;
}

export function showCapture(session: Session, id: string): CaptureView {
  return toCaptureView(captureRecord(session, id));
}

export function deleteCapture(session: Session, id: string): { id: string } {
  const record = captureRecord(session, id);
  session.transaction(() => {
    session.captures.delete(id);
    session.audit.append('capture.deleted', null, { captureId: id, name: record.name }, session.clock());
  });
  return { id };
}

export interface ExchangeListInput {
  id: string;
  verdict?: Verdict;
  scheme?: string;
  host?: string;
  method?: string;
  sort?: 'index' | 'severity';
  offset?: number;
  limit?: number;
}

export function listExchanges(session: Session, input: ExchangeListInput): { rows: ExchangeRowView[]; total: number } {
  captureRecord(session, input.id);
  const { id, offset, limit, ...filters } = input;
  return session.captures.page({ captureId: id, ...filters, offset: offset ?? 0, limit: limit ?? 200 });
}

const SHOWN_BODY_BYTES = 256 * 1024;
const printable = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/u;

export function bodyView(body: Uint8Array | null, mimeType: string | null): BodyView | null {
  if (!body || body.length === 0) return null;
  const shown = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, SHOWN_BODY_BYTES));
  const truncated = body.byteLength > SHOWN_BODY_BYTES;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(shown);
  const isText = !text.includes('\ufffd') && printable.test(text);
  return { size: body.byteLength, mimeType, truncated, ...(isText ? { text } : { base64: shown.toString('base64') }) };
}

/**
 * One exchange in full: headers, bodies, findings with their traces, every JOSE object decoded into
 * header / payload / signature. With `reveal`, JWE bodies are decrypted for display (needs the keystore
 * unlocked); the plaintext is never stored.
 */
export async function showExchange(session: Session, input: { id: string; index: number; reveal?: boolean }): Promise<ExchangeDetail> {
  captureRecord(session, input.id);
  const stored = session.captures.exchange(input.id, input.index);
  if (!stored) throw new SignetError('ERR_NOT_FOUND', `capture ${input.id} has no exchange ${input.index}`);
  const { messages } = stored;
  const jose: DecodedJose[] = [];
  const resolver = input.reveal ? keyResolver(session) : undefined;
  // One decoded object per place, however many findings speak of it (a header sent twice gives two).
  const shown = new Set<string>();
  for (const finding of stored.findings) {
    const token = joseAt(messages, finding);
    const place = `${finding.direction} ${finding.location}`;
    if (!token || shown.has(place)) continue;
    shown.add(place);
    try {
      const decoded = decodeToken(token);
      const entry: DecodedJose = {
        direction: finding.direction,
        location: finding.location,
        kind: decoded.kind,
        header: decoded.header,
        ...(decoded.payload && { payload: decoded.payload }),
        ...(decoded.signature && { signature: decoded.signature }),
      };
      if (decoded.kind === 'jwe' && resolver) {
        if (!session.unlocked) throw new SignetError('ERR_LOCKED', 'the keystore is locked: unlock it to reveal decrypted payloads');
        const opened = await openJwe(token, { resolver });
        if (opened.opened) entry.plaintext = bodyView(opened.opened.plaintext, typeof decoded.header.cty === 'string' ? decoded.header.cty : null) ?? { size: 0, mimeType: null, truncated: false, text: '' };
      }
      jose.push(entry);
    } catch (error) {
      if (error instanceof SignetError && error.code === 'ERR_LOCKED') throw error;
      // Malformed tokens are already explained by their finding.
    }
  }
  return {
    captureId: input.id,
    index: input.index,
    startedAt: stored.row.startedAt,
    malformed: messages.malformed,
    request: {
      method: stored.row.method,
      url: messages.url,
      httpVersion: messages.httpVersion,
      headers: messages.requestHeaders,
      body: bodyView(messages.requestBody, messages.requestMime),
      ...(messages.requestBodyCapture && { bodyCapture: messages.requestBodyCapture }),
    },
    response:
      stored.row.status === null || !messages.responseHeaders
        ? null
        : {
            status: stored.row.status,
            statusText: messages.statusText ?? '',
            httpVersion: messages.responseVersion ?? '',
            headers: messages.responseHeaders,
            body: bodyView(messages.responseBody, messages.responseMime),
            ...(messages.responseBodyCapture && { bodyCapture: messages.responseBodyCapture }),
          },
    findings: stored.findings,
    jose,
  };
}

/** The JOSE text a finding is about, read back from the stored message. */
function joseAt(messages: ExchangeMessages, finding: Finding): string | undefined {
  if (!['jws', 'jws-detached', 'jwt', 'jwe'].includes(finding.scheme)) return undefined;
  const request = finding.direction === 'request';
  if (finding.location === 'body') {
    const body = request ? messages.requestBody : messages.responseBody;
    return body ? body.toString('utf8').trim() : undefined;
  }
  const name = finding.location.replace(/^header:/, '');
  const headers = (request ? messages.requestHeaders : messages.responseHeaders) ?? [];
  const value = headers.find(([header]) => header.toLowerCase() === name)?.[1]?.trim();
  return value?.replace(/^bearer\s+/i, '');
}
