import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSanitized } from '../../../main/services/capture-export.ts';
import { deleteCapture, importCapture, listCaptures, listExchanges, showExchange, verifyCapture } from '../../../main/services/captures.ts';
import { addApiKey } from '../../../main/services/api-keys.ts';
import { Session } from '../../../main/services/session.ts';
import { harEntry, harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { claims, encryptTo, merchantKeys, opgHeader, sign, unix } from './fixtures.ts';

let store: TempStore;
let keys: Awaited<ReturnType<typeof merchantKeys>>;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-01-01T00:00:00Z') });
  keys = await merchantKeys(store.session);
});
afterEach(() => store.cleanup());

async function sampleCapture(): Promise<string> {
  const order = '{"order":42}';
  const token = await sign(store.session, keys.ec, claims({ sub: 'merchant', exp: unix('2026-06-01T13:00:00Z') }));
  return writeCapture(
    store.dir,
    'sample.har',
    harText([
      { method: 'POST', url: 'https://api.klix.test/orders?x=1', headers: { 'X-KLIX-Api-Key': 'klix_live_0123456789abcdef', Authorization: `Bearer ${token}`, Cookie: 'session=abc123' }, body: await sign(store.session, keys.rsa, order) },
      { method: 'GET', url: 'https://api.klix.test/secret', response: { headers: { 'Set-Cookie': 'sid=zzz' }, body: await encryptTo(store.session, keys.enc, '{"pin":"4321"}') } },
      { method: 'POST', url: 'https://api.onepoint.test/opg/a', headers: { Authorization: opgHeader(store.session, keys.hmac, { method: 'POST', uri: '/opg/a', body: '{}', timestamp: unix('2026-06-01T12:00:00Z') }) }, body: '{}' },
    ]),
  );
}

describe('importing a capture', () => {
  it('stores the same findings verify reports, and lists the capture', async () => {
    const path = await sampleCapture();
    const verified = await verifyCapture(store.session, { path });
    const capture = await importCapture(store.session, { path, name: 'support case 17' });
    expect(capture).toMatchObject({ name: 'support case 17', format: 'har', exchangeCount: 3, summary: verified.summary });
    expect(store.session.captures.findings(capture.id)).toEqual(verified.findings);
    expect(listCaptures(store.session).map((entry) => entry.id)).toEqual([capture.id]);
  });

  it('pages and filters exchanges in SQLite', async () => {
    const capture = await importCapture(store.session, { path: await sampleCapture() });
    const all = listExchanges(store.session, { id: capture.id });
    expect(all.total).toBe(3);
    expect(all.rows.map((row) => [row.method, row.host, row.path])).toEqual([
      ['POST', 'api.klix.test', '/orders?x=1'],
      ['GET', 'api.klix.test', '/secret'],
      ['POST', 'api.onepoint.test', '/opg/a'],
    ]);
    expect(all.rows[0]?.verdicts).toEqual(expect.arrayContaining(['jwt:valid', 'api-key:unknown', 'jws:valid']));
    expect(listExchanges(store.session, { id: capture.id, verdict: 'decrypted' }).rows.map((row) => row.index)).toEqual([1]);
    expect(listExchanges(store.session, { id: capture.id, scheme: 'hmac-opg' }).rows.map((row) => row.index)).toEqual([2]);
    expect(listExchanges(store.session, { id: capture.id, method: 'GET' }).total).toBe(1);
    expect(listExchanges(store.session, { id: capture.id, host: 'api.onepoint.test', offset: 0, limit: 1 }).rows).toHaveLength(1);
  });

  it('pages a capture in file order by exchange number, malformed entries included', async () => {
    const entries: Record<string, unknown>[] = Array.from({ length: 30 }, (_, index) => harEntry({ url: `https://a.test/${index}` }));
    entries[12] = { startedDateTime: '2026-06-01T12:00:00.000Z' }; // no request: malformed, still exchange #12
    const capture = await importCapture(store.session, { path: writeCapture(store.dir, 'paging.har', harText(entries)) });
    for (let offset = 0; offset < 32; offset += 5) {
      const page = listExchanges(store.session, { id: capture.id, offset, limit: 7 });
      expect(page.total).toBe(30);
      expect(page.rows.map((row) => row.index)).toEqual(Array.from({ length: Math.max(0, Math.min(7, 30 - offset)) }, (_, at) => offset + at));
    }
    expect(listExchanges(store.session, { id: capture.id, offset: 12, limit: 1 }).rows[0]?.verdicts).toEqual(['capture:malformed']);
  });

  it('shows an exchange with decoded JOSE panes, traces, and the JWE plaintext only when revealed', async () => {
    const capture = await importCapture(store.session, { path: await sampleCapture() });
    const first = await showExchange(store.session, { id: capture.id, index: 0 });
    expect(first.jose.map((entry) => [entry.kind, entry.location])).toEqual([
      ['jws', 'header:authorization'],
      ['jws', 'body'],
    ]);
    expect(first.jose[1]?.payload).toEqual({ form: 'json', value: { order: 42 } });
    expect(first.findings.find((finding) => finding.scheme === 'jws')?.trace?.at(-1)).toMatchObject({ step: 'result', ok: true });
    const hidden = await showExchange(store.session, { id: capture.id, index: 1 });
    expect(hidden.jose[0]).toMatchObject({ kind: 'jwe' });
    expect(hidden.jose[0]?.plaintext).toBeUndefined();
    const revealed = await showExchange(store.session, { id: capture.id, index: 1, reveal: true });
    expect(revealed.jose[0]?.plaintext?.text).toBe('{"pin":"4321"}');
    // Never stored: the database holds no trace of the plaintext.
    store.session.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(store.path).includes(Buffer.from('"pin":"4321"'))).toBe(false);
  });

  it('decodes the token of each place once, however many findings speak of it', async () => {
    const token = await sign(store.session, keys.rsa, claims({ sub: 'merchant', exp: unix('2026-06-01T13:00:00Z') }));
    const entry = harEntry({ method: 'POST', url: 'https://api.klix.test/orders', headers: { Authorization: `Bearer ${token}` }, body: token });
    const request = entry.request as { headers: { name: string; value: string }[] };
    request.headers.push({ name: 'authorization', value: `Bearer ${token}` });
    const capture = await importCapture(store.session, { path: writeCapture(store.dir, 'twice.har', harText([entry])) });
    const shown = await showExchange(store.session, { id: capture.id, index: 0 });
    expect(shown.findings.map((finding) => [finding.scheme, finding.location])).toEqual([
      ['capture', 'header:authorization'],
      ['jwt', 'header:authorization'],
      ['jwt', 'header:authorization'],
      ['jws', 'body'],
    ]);
    expect(shown.jose.map((entry) => [entry.direction, entry.location])).toEqual([
      ['request', 'header:authorization'],
      ['request', 'body'],
    ]);
  });

  it('leaves nothing behind when the file turns out truncated half-way', async () => {
    const text = harText(Array.from({ length: 2500 }, (_, index) => ({ url: `https://a.test/${index}` })));
    const path = writeCapture(store.dir, 'cut.har', text.slice(0, Math.floor(text.length * 0.8)));
    await expect(importCapture(store.session, { path })).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED' });
    expect(listCaptures(store.session)).toEqual([]);
    expect(store.session.db.prepare('SELECT count(*) AS n FROM exchanges').get()).toEqual({ n: 0 });
    expect(store.session.db.prepare('SELECT count(*) AS n FROM captures').get()).toEqual({ n: 0 });
  });

  it('stops and removes everything when cancelled', async () => {
    const path = writeCapture(store.dir, 'big.har', harText(Array.from({ length: 3000 }, (_, index) => ({ url: `https://a.test/${index}` }))));
    const controller = new AbortController();
    const importing = importCapture(store.session, { path, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(importing).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(store.session.db.prepare('SELECT count(*) AS n FROM captures').get()).toEqual({ n: 0 });
  });

  it('removes the rows of an import killed half-way on the next open, and keeps one whose process still runs', async () => {
    const exited = spawnSync(process.execPath, ['-e', '0']);
    const importing = (id: string, pid: number | null) => {
      store.session.db.prepare(`INSERT INTO captures (id, name, format, state, imported_at, importer_pid) VALUES (?, 'x', 'har', 'importing', '2026-01-01T00:00:00Z', ?)`).run(id, pid);
      store.session.db.prepare(`INSERT INTO exchanges (capture_id, idx, method, host, path, severity, verdicts) VALUES (?, 0, 'GET', 'a', '/', 0, '')`).run(id);
    };
    importing('c_killed', exited.pid);
    importing('c_older_signet', null);
    importing('c_running', process.pid);
    store.session.close();
    store.session = Session.open(store.path);
    expect(store.session.db.prepare('SELECT capture_id FROM exchanges').all()).toEqual([{ capture_id: 'c_running' }]);
    expect(listCaptures(store.session)).toEqual([]);
  });

  it('deletes a capture with all its rows', async () => {
    const capture = await importCapture(store.session, { path: await sampleCapture() });
    deleteCapture(store.session, capture.id);
    expect(store.session.db.prepare('SELECT count(*) AS n FROM findings').get()).toEqual({ n: 0 });
    expect(() => listExchanges(store.session, { id: capture.id })).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND' }));
  });
});

describe('sanitized export', () => {
  it('stores an API key seen in traffic as its last four characters only, as the keystore keeps API keys, after judging it whole', async () => {
    addApiKey(store.session, { header: 'X-KLIX-Api-Key', value: 'klix_live_0123456789abcdef' });
    const path = writeCapture(store.dir, 'keyed.har', harText([{ method: 'GET', url: 'https://api.klix.test/v1/orders', headers: { 'X-KLIX-Api-Key': 'klix_live_0123456789abcdef' } }]));
    const capture = await importCapture(store.session, { path });
    const shown = await showExchange(store.session, { id: capture.id, index: 0 });
    expect(shown.request.headers).toContainEqual(['X-KLIX-Api-Key', '[redacted API key …cdef]']);
    expect(shown.findings).toMatchObject([{ scheme: 'api-key', verdict: 'known' }]);
    const stored = store.session.db.prepare("SELECT count(*) AS n FROM exchange_messages WHERE request_headers LIKE '%klix_live_0123456789abcdef%'").get();
    expect(stored).toEqual({ n: 0 });
  });

  it('stores as its last four an API key sent in the header of a key added by hand, which inspection judges too', async () => {
    addApiKey(store.session, { header: 'X-Partner-Key', value: 'partner_live_9876543210wxyz' });
    const path = writeCapture(store.dir, 'partner.har', harText([{ method: 'GET', url: 'https://api.partner.test/v1/items', headers: { 'X-Partner-Key': 'partner_live_9876543210wxyz' } }]));
    const capture = await importCapture(store.session, { path });
    const shown = await showExchange(store.session, { id: capture.id, index: 0 });
    expect(shown.request.headers).toContainEqual(['X-Partner-Key', '[redacted API key …wxyz]']);
    expect(shown.findings).toMatchObject([{ scheme: 'api-key', verdict: 'known' }]);
  });

  it('redacts bearer tokens, cookies and API keys, keeps signatures, and re-inspects the same', async () => {
    addApiKey(store.session, { header: 'X-KLIX-Api-Key', value: 'klix_live_0123456789abcdef' });
    const capture = await importCapture(store.session, { path: await sampleCapture() });
    const out = join(store.dir, 'for-partner.har');
    expect(await exportSanitized(store.session, { id: capture.id, path: out })).toEqual({ path: out, exchanges: 3, keptSigned: 0, keptSignedAt: [], keptSignedWarning: null });
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('klix_live_0123456789abcdef');
    expect(text).not.toContain('session=abc123');
    expect(text).not.toContain('sid=zzz');
    expect(text).toContain('[redacted API key …cdef]');
    expect(text).toContain('Bearer [redacted by Signet]');
    expect(text).toContain('X-OPG-Signature OPG-APP-1:');
    const again = await verifyCapture(store.session, { path: out });
    const bySchemes = (findings: typeof again.findings) => findings.filter((finding) => ['jws', 'jwe', 'hmac-opg'].includes(finding.scheme)).map((finding) => finding.verdict);
    expect(bySchemes(again.findings)).toEqual(bySchemes(store.session.captures.findings(capture.id)));
  });

  it('scrubs a stored HMAC secret that was pasted into traffic by mistake', async () => {
    const { importSecret } = await import('../../../main/services/keys.ts');
    importSecret(store.session, { appId: 'LEAKY', secret: Buffer.from('leaked-secret-value-123') });
    const path = writeCapture(store.dir, 'leak.har', harText([{ method: 'POST', url: 'https://x.test/debug', body: '{"secret":"leaked-secret-value-123"}' }]));
    const capture = await importCapture(store.session, { path });
    const out = join(store.dir, 'leak-out.har');
    await exportSanitized(store.session, { id: capture.id, path: out });
    expect(readFileSync(out, 'utf8')).not.toContain('leaked-secret-value-123');
  });

  it('writes nothing for an unknown capture', async () => {
    const out = join(store.dir, 'nothing.har');
    await expect(exportSanitized(store.session, { id: 'c_missing', path: out })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(() => readFileSync(out)).toThrow();
  });
});
