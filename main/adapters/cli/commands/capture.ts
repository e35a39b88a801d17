import { isFailing, type Finding, type Verdict } from '../../../core/inspect/findings.ts';
import type { BodyView, ExchangeDetail, ExchangeRowView } from '../../../services/views.ts';
import { SignetError, toErrorBody } from '../../../core/errors.ts';
import { int, str, type CliContext, type Command } from '../command.ts';
import { counted, table, tableLine } from '../format.ts';
import { withCaptureFile } from '../io.ts';

// Fixed widths, so that rows print as findings come (a table sized to its widest cells would wait for
// the last row): the widest scheme and verdict words fit, and a longer cell pushes its own line only.
const FINDING_HEADERS = ['EXCH', 'DIR', 'SCHEME', 'WHERE', 'VERDICT', 'KID', 'DETAIL'];
const FINDING_WIDTHS = [7, 4, 13, 20, 13, 20, 0];

function findingCells(finding: Finding): string[] {
  return [
    String(finding.exchange),
    finding.direction === 'request' ? 'req' : 'resp',
    finding.scheme,
    finding.location,
    finding.verdict,
    finding.kid ? (finding.kid.length > 20 ? `${finding.kid.slice(0, 17)}...` : finding.kid) : '-',
    finding.detail,
  ];
}

/** Output is handed to stdout in pieces of about this size: a write per finding would cost a system call each. */
const FLUSH_CHARS = 64 * 1024;

/** An object's members as JSON.stringify(value, null, 2) lays them out, to follow others in a document: `\n  "name": …\n}`. */
const membersOf = (value: object): string => JSON.stringify(value, null, 2).slice(1);

const FINDINGS_OPEN = '{\n  "findings": [\n';
/**
 * Findings as members of the document's `"findings"` array, indented as JSON.stringify(document, null, 2)
 * would: one stringify per group of findings, which costs a third of one stringify and re-indent per finding.
 */
const findingMembers = (findings: Finding[]): string => JSON.stringify({ findings }, null, 2).slice(FINDINGS_OPEN.length, -'\n  ]\n}'.length);
const GROUP_FINDINGS = 256;

/**
 * `capture verify`'s output, written as the findings come, so that none is kept: rows under a header,
 * or with --json one document `{ "findings": [ … ], "exchanges": n, "summary": { … } }` (findings
 * first: the count is known only at the end) that ends with `"error": { code, message }` instead when
 * verification stops part-way. Before the first finding nothing is written, and main prints a failure
 * as for any command.
 */
/** What --strict adds to the failing verdicts: what could not be checked at all. */
const UNCHECKED: ReadonlySet<Verdict> = new Set<Verdict>(['unknown-key', 'undecryptable']);

function streamedFindings(ctx: CliContext, beforeWrite: () => void, strict: boolean) {
  let pending = '';
  let count = 0;
  let failing = false;
  let group: Finding[] = [];
  const render = () => {
    if (group.length === 0) return;
    pending += `${count ? ',\n' : FINDINGS_OPEN}${findingMembers(group)}`;
    count += group.length;
    group = [];
  };
  const flush = async () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    beforeWrite();
    await ctx.write(text);
  };
  return {
    /** Whether a finding so far makes the command exit 1. */
    get failing() {
      return failing;
    },
    add(findings: Finding[]): Promise<void> | undefined {
      for (const finding of findings) {
        failing ||= isFailing(finding.verdict) || (strict && UNCHECKED.has(finding.verdict));
        if (ctx.json) group.push(finding);
        else pending += `${count++ ? '' : `${tableLine(FINDING_HEADERS, FINDING_WIDTHS)}\n`}${tableLine(findingCells(finding), FINDING_WIDTHS)}\n`;
      }
      if (group.length >= GROUP_FINDINGS) render();
      return pending.length >= FLUSH_CHARS ? flush() : undefined;
    },
    end({ exchanges, summary }: { exchanges: number; summary: Partial<Record<Verdict, number>> }): Promise<void> {
      render();
      if (ctx.json) pending += `${count ? '\n  ],' : '{\n  "findings": [],'}${membersOf({ exchanges, summary })}\n`;
      else pending += `${count ? '' : 'No security artifacts found.\n'}\n${counted(exchanges, 'exchange')}${count ? `, ${counted(count, 'finding')}` : ''}: ${summaryLine(summary)}\n`;
      return flush();
    },
    /** Writes what came before the failure; a document already begun is closed with the error. */
    fail(error: unknown): Promise<void> {
      render();
      if (ctx.json && count) pending += `\n  ],${membersOf({ error: toErrorBody(error) })}\n`;
      return flush();
    },
  };
}


/** Rows `capture show` lists unless told otherwise (--limit), and the most one call of the contract returns. */
const SHOWN_ROWS = 1000;

/** A range of a capture's exchange rows, asked for in pages of what one call returns. */
async function exchangeRows(ctx: CliContext, id: string, offset: number, limit: number): Promise<{ rows: ExchangeRowView[]; total: number }> {
  const rows: ExchangeRowView[] = [];
  for (;;) {
    const page = await ctx.call('captures.exchanges', { id, offset: offset + rows.length, limit: Math.min(SHOWN_ROWS, limit - rows.length) });
    rows.push(...page.rows);
    if (page.rows.length === 0 || rows.length >= limit || offset + rows.length >= page.total) return { rows, total: page.total };
  }
}

function summaryLine(summary: Partial<Record<string, number>>): string {
  const parts = Object.entries(summary).map(([verdict, count]) => `${count} ${verdict}`);
  return parts.length ? parts.join(', ') : 'nothing to check';
}

/** A body as text, saying so when it is cut (only its start is kept for display: exports have it whole). */
function bodyLines(body: BodyView): string[] {
  const shown = body.text ?? `(${body.size} bytes of binary)`;
  if (!body.truncated) return [shown];
  const kept = body.text !== undefined ? Buffer.byteLength(body.text) : Buffer.from(body.base64 ?? '', 'base64').length;
  return [shown, `(body cut at ${kept} of ${body.size} bytes; capture export --sanitized writes it whole)`];
}

function exchangeText(detail: ExchangeDetail): string {
  const lines: string[] = [`Exchange ${detail.index}${detail.startedAt ? ` at ${detail.startedAt}` : ''}`];
  if (detail.malformed) return `${lines[0]}\n  malformed: ${detail.malformed}`;
  const { request, response } = detail;
  lines.push('', `${request.method} ${request.url} ${request.httpVersion}`, ...request.headers.map(([name, value]) => `${name}: ${value}`));
  if (request.body) lines.push('', ...bodyLines(request.body));
  if (response) {
    lines.push('', `${response.httpVersion} ${response.status} ${response.statusText}`, ...response.headers.map(([name, value]) => `${name}: ${value}`));
    if (response.body) lines.push('', ...bodyLines(response.body));
  }
  for (const jose of detail.jose) {
    lines.push('', `${jose.kind.toUpperCase()} in ${jose.direction} ${jose.location}`, `  header    ${JSON.stringify(jose.header)}`);
    if (jose.payload !== undefined) lines.push(`  payload   ${JSON.stringify(jose.payload)}`);
    if (jose.signature) lines.push(`  signature ${jose.signature}`);
    if (jose.plaintext) lines.push(`  plaintext ${bodyLines(jose.plaintext).join('\n            ')}`);
  }
  for (const finding of detail.findings) {
    lines.push('', `[${finding.verdict}] ${finding.scheme} ${finding.direction} ${finding.location}: ${finding.detail}`);
    for (const step of finding.trace ?? []) lines.push(`  ${step.ok === false ? '✗' : step.ok ? '✓' : '→'} ${step.label}: ${step.value}`);
  }
  return lines.join('\n');
}

/** Progress on stderr for terminals; Ctrl+C cancels cleanly (an import then leaves nothing behind). */
function progressReporter(label: string): {
  signal: AbortSignal;
  onProgress: (progress: { bytesRead: number; totalBytes: number; exchanges: number }) => void;
  /** Erases the progress line (redrawn on the next progress), so output to the same terminal starts clean. */
  clear(): void;
  done(): void;
} {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  const tty = process.stderr.isTTY;
  let shown = false;
  const clear = () => {
    if (shown) process.stderr.write('\r\x1b[K');
    shown = false;
  };
  return {
    signal: controller.signal,
    onProgress({ bytesRead, totalBytes, exchanges }) {
      if (!tty) return;
      const percent = totalBytes ? Math.floor((bytesRead / totalBytes) * 100) : 100;
      process.stderr.write(`\r${label}: ${percent}% (${counted(exchanges, 'exchange')})   `);
      shown = true;
    },
    clear,
    done() {
      process.off('SIGINT', cancel);
      clear();
    },
  };
}

export const captureCommands: Command[] = [
  {
    name: 'capture verify',
    summary: 'inspect a HAR or raw-HTTP capture (a file, or - to read a pipe) against the keystore, without storing it',
    usage: 'FILE|- [--at TIME] [--strict] [--json]',
    // --strict: a signature by a key Signet does not hold, or a JWE it cannot open, fails too (a CI gate).
    options: { at: { type: 'string' }, strict: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: 'FILE' },
    async run(ctx, values, [path = '']) {
      const at = str(values, 'at');
      const progress = progressReporter('verifying');
      // Findings go out as they are produced, never all held: a gigabyte capture has millions (issue 7).
      const output = streamedFindings(ctx, progress.clear, values.strict === true);
      try {
        const report = await withCaptureFile(path, { signal: progress.signal, before: () => ctx.unlockForSecrets() }, (file) =>
          ctx.call('captures.verify', { path: file, ...(at && { at }) }, { signal: progress.signal, onProgress: progress.onProgress, onFindings: (findings) => output.add(findings) }),
        ).catch(async (error: unknown) => {
          await output.fail(error);
          throw error;
        });
        progress.done();
        await output.end(report);
        return output.failing ? 1 : 0;
      } finally {
        progress.done();
      }
    },
  },
  {
    name: 'capture import',
    summary: 'inspect a capture (a file, or - to read a pipe: named "stdin" unless --name) and store it with its findings',
    usage: 'FILE|- [--name N] [--at TIME]',
    options: { name: { type: 'string' }, at: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'FILE' },
    async run(ctx, values, [path = '']) {
      const name = str(values, 'name');
      const at = str(values, 'at');
      const progress = progressReporter('importing');
      try {
        // Standard input is copied to a file named "stdin", which names the capture unless --name does.
        // Storing is a change, so the keystore is unlocked first: before a piped capture is copied, not after.
        const unlock = async () => {
          if (!ctx.openSession().unlocked) await ctx.call('keystore.unlock', { passphrase: await ctx.currentPassphrase() });
        };
        const capture = await withCaptureFile(path, { signal: progress.signal, before: unlock }, (file) =>
          ctx.call('captures.import', { path: file, ...(name && { name }), ...(at && { at }) }, { signal: progress.signal, onProgress: progress.onProgress }),
        );
        progress.done();
        if (ctx.json) ctx.printJson(capture);
        else ctx.print(`Imported ${capture.id} "${capture.name}": ${counted(capture.exchangeCount, 'exchange')}; ${summaryLine(capture.summary)}.`);
      } finally {
        progress.done();
      }
    },
  },
  {
    name: 'capture list',
    summary: 'stored captures',
    usage: '',
    async run(ctx) {
      const captures = await ctx.call('captures.list', {});
      if (ctx.json) return ctx.printJson(captures);
      ctx.print(
        captures.length === 0
          ? 'No captures.'
          : table(['ID', 'NAME', 'FORMAT', 'EXCHANGES', 'IMPORTED', 'FINDINGS'], captures.map((capture) => [capture.id, capture.name, capture.format, String(capture.exchangeCount), capture.importedAt.slice(0, 16), summaryLine(capture.summary)])),
      );
    },
  },
  {
    name: 'capture show',
    summary: 'a stored capture and its findings, or one exchange in full (--exchange i)',
    usage: 'ID [--exchange i [--reveal]] [--offset N] [--limit N]',
    options: { exchange: { type: 'string' }, reveal: { type: 'boolean' }, offset: { type: 'string' }, limit: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [id = '']) {
      const index = int(values, 'exchange');
      if (index !== undefined) {
        if (values.offset !== undefined || values.limit !== undefined) throw new SignetError('ERR_BAD_INPUT', '--offset and --limit page the list of exchanges, not one exchange');
        const detail = await ctx.call('captures.exchange', { id, index, ...(values.reveal === true && { reveal: true }) });
        return ctx.json ? ctx.printJson(detail) : ctx.print(exchangeText(detail));
      }
      if (values.reveal) throw new SignetError('ERR_BAD_INPUT', '--reveal goes with --exchange i');
      const offset = int(values, 'offset') ?? 0;
      const limit = int(values, 'limit') ?? SHOWN_ROWS;
      if (limit === 0) throw new SignetError('ERR_BAD_INPUT', '--limit takes a whole number from 1');
      const capture = await ctx.call('captures.get', { id });
      const { rows, total } = await exchangeRows(ctx, id, offset, limit);
      if (ctx.json) return ctx.printJson({ ...capture, exchanges: rows, total, offset });
      const next = offset + rows.length;
      ctx.print(
        [
          `${capture.name} (${capture.id}): ${counted(capture.exchangeCount, 'exchange')}, ${summaryLine(capture.summary)}`,
          '',
          table(['#', 'METHOD', 'HOST', 'PATH', 'STATUS', 'VERDICTS'], rows.map((row) => [String(row.index), row.method, row.host, row.path.length > 48 ? `${row.path.slice(0, 45)}...` : row.path, row.status === null ? '-' : String(row.status), row.verdicts.join(' ')])),
          ...(total > next ? [`… ${total - next} more (--offset ${next} for the next ${Math.min(limit, total - next)})`] : []),
        ].join('\n'),
      );
    },
  },
  {
    name: 'capture delete',
    summary: 'delete a stored capture',
    usage: 'ID',
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, _values, [id = '']) {
      const deleted = await ctx.call('captures.delete', { id });
      return ctx.json ? ctx.printJson(deleted) : ctx.print(`Deleted ${deleted.id}.`);
    },
  },
  {
    name: 'capture export',
    summary: 'write a sanitized HAR (credentials redacted, signatures kept) to send to a partner',
    usage: 'ID --sanitized --out FILE.har [--force]',
    options: { sanitized: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, values, [id = '']) {
      const out = str(values, 'out');
      if (values.sanitized !== true || !out) throw new SignetError('ERR_BAD_INPUT', 'exports are always sanitized: say --sanitized --out FILE.har');
      const result = await ctx.call('captures.exportSanitized', { id, path: out, ...(values.force === true && { overwrite: true }) });
      if (ctx.json) return ctx.printJson(result);
      ctx.print(`Wrote ${counted(result.exchanges, 'exchange')} to ${result.path} (credentials redacted).`);
      if (result.keptSignedWarning) ctx.print(`Warning: ${result.keptSignedWarning}`);
    },
  },
];

export const apiKeyCommands: Command[] = [
  {
    name: 'apikey add',
    summary: 'remember an API key so traffic can be matched to it (stored as a hash + last four)',
    usage: '--header H --value-file F [--name N]',
    options: { header: { type: 'string' }, 'value-file': { type: 'string' }, name: { type: 'string' } },
    async run(ctx, values) {
      const header = str(values, 'header');
      const file = str(values, 'value-file');
      if (!header || !file) throw new SignetError('ERR_BAD_INPUT', '--header and --value-file are required');
      const name = str(values, 'name');
      const added = await ctx.call('apikeys.add', { header, value: await ctx.readSecretFile(file, 'API key file'), ...(name && { name }) });
      return ctx.json ? ctx.printJson(added) : ctx.print(`Stored API key ${added.id} "${added.name}" (…${added.last4}).`);
    },
  },
  {
    name: 'apikey list',
    summary: 'stored API keys',
    usage: '',
    async run(ctx) {
      const keys = await ctx.call('apikeys.list', {});
      if (ctx.json) return ctx.printJson(keys);
      ctx.print(keys.length ? table(['ID', 'NAME', 'HEADER', 'LAST4', 'ADDED'], keys.map((key) => [key.id, key.name, key.header, key.last4, key.createdAt.slice(0, 10)])) : 'No API keys.');
    },
  },
  {
    name: 'apikey delete',
    summary: 'forget an API key',
    usage: 'ID',
    positionals: { min: 1, max: 1, names: 'ID' },
    async run(ctx, _values, [id = '']) {
      const deleted = await ctx.call('apikeys.delete', { id });
      return ctx.json ? ctx.printJson(deleted) : ctx.print(`Deleted ${deleted.id}.`);
    },
  },
];
