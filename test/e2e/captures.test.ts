import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/api/dispatch.ts';
import type { Session } from '../../main/services/session.ts';
import type { Finding, KeyView } from '../../main/services/views.ts';
import { harText } from '../support/capture.ts';
import { encryptTo, opgHeader, sign, unix } from '../integration/captures/fixtures.ts';
import { chromiumMissing, dropFile, holdJobs, screenshotBothThemes, withConsole, type OpenedConsole } from '../support/browser.ts';

const missing = chromiumMissing();
const API = 'https://api.klix.test';
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();
const base64url = (text: string): string => Buffer.from(text).toString('base64url');
const API_KEY = `klix_test_${'7'.repeat(24)}wxyz`;

/** The merchant's keys, valid since last week so that the exchanges of the last hour fall inside. */
async function merchantKeys(session: Session): Promise<Record<'rsa' | 'ec' | 'hmac' | 'enc', KeyView>> {
  const notBefore = minutesAgo(7 * 24 * 60);
  return {
    rsa: await dispatch(session, 'keys.generate', { type: 'rsa', name: 'merchant signing', owner: 'acme', notBefore }),
    ec: await dispatch(session, 'keys.generate', { type: 'ec', curve: 'P-256', name: 'callback signer', owner: 'klix', notBefore }),
    hmac: await dispatch(session, 'keys.generate', { type: 'hmac', appId: 'OPG-APP-1', name: 'OnePoint app', notBefore }),
    enc: await dispatch(session, 'keys.generate', { type: 'rsa', use: 'enc', name: 'card decryption', notBefore }),
  };
}

/**
 * A capture a merchant might record: a signed order, a refund whose payload was changed after signing,
 * an encrypted card response and a OnePoint HMAC request, all made with keys of this keystore.
 */
async function merchantCapture(session: Session): Promise<{ har: string; keys: Record<'rsa' | 'ec' | 'hmac' | 'enc', KeyView> }> {
  const keys = await merchantKeys(session);
  const order = await sign(session, keys.rsa, '{"order":42,"amount":"19.99"}');
  const [header, , signature] = (await sign(session, keys.rsa, '{"refund":7,"amount":100}')).split('.');
  const tampered = `${header}.${base64url('{"refund":7,"amount":900}')}.${signature}`;
  const card = await encryptTo(session, keys.enc, '{"pan":"4111 1111 1111 1111"}');
  const payAt = minutesAgo(27);
  // A PIN inside the signed body: the sanitized export must keep it (or break the signature) and say so.
  const payBody = '{"amount":5,"pin":"1234"}';
  const har = harText([
    { method: 'POST', url: `${API}/v1/orders`, headers: { 'X-KLIX-Api-Key': API_KEY }, body: order, startedAt: minutesAgo(30), response: { status: 201, body: '{"accepted":true}' } },
    { method: 'POST', url: `${API}/v1/refunds`, body: tampered, startedAt: minutesAgo(29), response: { status: 400, body: '{"error":"bad signature"}' } },
    { method: 'GET', url: `${API}/v1/cards/7`, startedAt: minutesAgo(28), response: { status: 200, body: card } },
    {
      method: 'POST',
      url: 'https://opg.test/v1/pay?channel=web',
      headers: { Authorization: opgHeader(session, keys.hmac, { method: 'POST', uri: '/v1/pay?channel=web', body: payBody, timestamp: unix(payAt) }) },
      body: payBody,
      startedAt: payAt,
    },
  ]);
  return { har, keys };
}

describe.skipIf(missing !== undefined)('captures view', () => {
  const consoles = withConsole();

  async function capturesView(): Promise<OpenedConsole> {
    const opened = await consoles.open();
    await opened.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Captures' }).click();
    await opened.page.getByRole('region', { name: 'Captures' }).waitFor();
    return opened;
  }

  /** Drops the merchant capture on the view and waits until its exchanges are listed. */
  async function importMerchantCapture(page: Page, session: Session): Promise<void> {
    const { har } = await merchantCapture(session);
    await dropFile(page, page.getByRole('region', { name: 'Captures' }), 'merchant.har', har);
    await page.getByRole('grid', { name: 'Exchanges' }).getByRole('row', { name: /\/v1\/orders/ }).waitFor();
  }

  it('imports a dropped HAR with a progress bar, then lists its exchanges with verdict badges', async () => {
    const { page, pageErrors, session } = await capturesView();
    await page.getByText('No captures yet.').waitFor();
    await screenshotBothThemes(page, 'captures-empty');
    const { har } = await merchantCapture(session);
    const held = holdJobs(session);
    await dropFile(page, page.getByRole('region', { name: 'Captures' }), 'merchant.har', har);

    const status = page.getByTestId('import-status');
    await status.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    await status.getByText('Inspecting').waitFor();
    await screenshotBothThemes(page, 'captures-importing');
    held.release();
    await status.getByText('Imported merchant.har.').waitFor();
    expect(await status.getByRole('progressbar').count()).toBe(0);

    const grid = page.getByRole('grid', { name: 'Exchanges' });
    const order = grid.getByRole('row', { name: /\/v1\/orders/ });
    await order.getByText('valid', { exact: true }).waitFor();
    expect(await order.textContent()).toContain('JWS');
    expect(await grid.getByRole('row', { name: /\/v1\/refunds/ }).getByText('invalid', { exact: true }).count()).toBe(1);
    expect(await grid.getByRole('row', { name: /\/v1\/cards/ }).textContent()).toMatch(/JWE\s*decrypted/);
    expect(await grid.getByRole('row', { name: /\/v1\/pay/ }).textContent()).toMatch(/HMAC\s*valid/);
    await screenshotBothThemes(page, 'captures-exchanges');
    expect(pageErrors).toEqual([]);
  });

  it('filters by verdict, then shows the failed check with its reason, trace and decoded panes', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    const grid = page.getByRole('grid', { name: 'Exchanges' });
    await page.getByLabel('Verdict').selectOption('invalid');
    await expect.poll(() => grid.locator('[role=row][data-position]').count()).toBe(1);
    await grid.getByRole('row', { name: /\/v1\/refunds/ }).click();

    const detail = page.getByRole('complementary', { name: 'Exchange detail' });
    const verdict = detail.getByRole('article', { name: 'jws verdict: invalid' });
    await verdict.getByTestId('verdict-detail').getByText(/signature verification failed/).waitFor();
    const trace = verdict.getByRole('list', { name: 'Verification trace' });
    expect(await trace.locator('[data-step=kid]').textContent()).toContain(session.keys.list({ search: 'merchant signing' })[0]?.kid ?? 'missing');
    expect(await trace.locator('[data-step=result]').textContent()).toMatch(/\(failed\)/);
    expect(await detail.getByRole('region', { name: 'Header' }).textContent()).toContain('RS256');
    expect(await detail.getByRole('region', { name: 'Payload' }).textContent()).toContain('"amount": 900');
    expect(await detail.getByRole('region', { name: 'Signature' }).count()).toBe(1);
    await screenshotBothThemes(page, 'captures-detail');
  });

  it('shows the HMAC canonical string in the trace of a OnePoint request', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    await page.getByLabel('Scheme').selectOption('hmac-opg');
    await page.getByRole('grid', { name: 'Exchanges' }).getByRole('row', { name: /\/v1\/pay/ }).click();
    const verdict = page.getByRole('complementary', { name: 'Exchange detail' }).getByRole('article', { name: 'hmac-opg verdict: valid' });
    const canonical = verdict.getByRole('listitem').filter({ hasText: 'canonical string' });
    expect(await canonical.textContent()).toContain('OPG-APP-1POST/v1/pay?channel=web');
    expect(await verdict.locator('[data-step=result]').textContent()).toMatch(/HMAC valid.*\(passed\)/);
    await screenshotBothThemes(page, 'captures-hmac-trace');
  });

  it('decrypts a JWE response on request and shows its plaintext', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    await page.getByRole('grid', { name: 'Exchanges' }).getByRole('row', { name: /\/v1\/cards/ }).click();
    const detail = page.getByRole('complementary', { name: 'Exchange detail' });
    await detail.getByText('Encrypted. Decrypting needs').waitFor();
    await detail.getByRole('button', { name: 'Decrypt' }).click();
    const plaintext = detail.getByRole('region', { name: 'Plaintext' });
    await plaintext.getByText('4111 1111 1111 1111', { exact: false }).waitFor();
    expect(await detail.getByRole('button', { name: 'Decrypt' }).count()).toBe(0);
    await screenshotBothThemes(page, 'captures-decrypted');
  });

  it('cancels the import of a larger file and stores nothing', async () => {
    const { page, session } = await capturesView();
    const entries = Array.from({ length: 5000 }, (_, index) => ({ method: 'GET', url: `${API}/v1/items/${index}`, startedAt: minutesAgo(60) }));
    const held = holdJobs(session);
    await page.getByLabel('Capture file to open').setInputFiles({ name: 'large.har', mimeType: 'application/json', buffer: Buffer.from(harText(entries)) });
    const status = page.getByTestId('import-status');
    await status.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    await status.getByText('Inspecting').waitFor();
    await status.getByRole('button', { name: 'Cancel import' }).click();
    await status.getByText('Import of large.har cancelled: nothing was stored.').waitFor();
    held.release();
    expect(session.captures.list()).toEqual([]);
    expect(session.db.prepare('SELECT count(*) AS n FROM exchanges').get()).toEqual({ n: 0 });
    await page.getByText('No captures yet.').waitFor();
  });

  it('downloads a sanitized HAR with the API key redacted and the signatures kept', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export sanitized' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.har$/);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('wxyz');
    expect(text).toContain('X-OPG-Signature');
    // What was written is said on screen, with the signed part kept as captured.
    const said = page.getByRole('status').filter({ hasText: 'Downloaded' });
    expect(await said.textContent()).toContain(`Downloaded ${download.suggestedFilename()}: 4 exchanges, credentials redacted.`);
    expect(await said.textContent()).toContain('1 signed part that looks to hold a credential was kept as captured, so the signature still verifies');
    await screenshotBothThemes(page, 'captures-exported');
  });

  it('closes the open exchange when a filter leaves it out of the list', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    const grid = page.getByRole('grid', { name: 'Exchanges' });
    await grid.getByRole('row', { name: /\/v1\/orders/ }).click();
    const detail = page.getByRole('complementary', { name: 'Exchange detail' });
    await detail.waitFor();
    const host = page.getByRole('searchbox', { name: 'Host' });
    await host.fill('opg.test');
    await host.press('Enter');
    await expect.poll(() => grid.locator('[role=row][data-position]').count()).toBe(1);
    await detail.waitFor({ state: 'detached' });
    // The placeholder says what the field takes, uncut.
    const cut = await host.evaluate((input) => {
      type Style = { fontSize: string; fontFamily: string; paddingLeft: string; paddingRight: string };
      type Canvas = { getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } } };
      const dom = globalThis as unknown as { getComputedStyle(element: unknown): Style; document: { createElement(name: 'canvas'): Canvas } };
      const style = dom.getComputedStyle(input);
      const context = dom.document.createElement('canvas').getContext('2d');
      context.font = `${style.fontSize} ${style.fontFamily}`;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return context.measureText(input.placeholder).width > room;
    });
    expect(cut).toBe(false);
  });

  it('tells two imports of one file apart in the stored captures, their times uncut', async () => {
    const { page, session } = await capturesView();
    const { har } = await merchantCapture(session);
    for (let copy = 1; copy <= 2; copy++) {
      await dropFile(page, page.getByRole('region', { name: 'Captures' }), 'merchant.har', har);
      await page.getByRole('grid', { name: 'Exchanges' }).getByRole('row', { name: /\/v1\/orders/ }).waitFor();
      await page.getByRole('button', { name: '← All captures' }).click();
    }
    const table = page.getByRole('table', { name: 'Stored captures' });
    await expect.poll(() => table.getByRole('row', { name: /merchant\.har/ }).count()).toBe(2);
    for (const capture of session.captures.list()) await table.getByText(capture.id).waitFor();
    const imported = table.locator('tbody td:nth-child(6)');
    expect(await imported.first().textContent()).toMatch(/\d:\d\d:\d\d/);
    // Neither the id beside the name nor the time is cut off.
    const cut = table.locator('tbody td:nth-child(1), tbody td:nth-child(6)');
    expect(await cut.evaluateAll((cells) => cells.filter((cell) => cell.scrollWidth > cell.clientWidth).length)).toBe(0);
    await screenshotBothThemes(page, 'captures-list-two');
  });

  it('deletes a stored capture after asking', async () => {
    const { page, session } = await capturesView();
    await importMerchantCapture(page, session);
    await page.getByRole('button', { name: '← All captures' }).click();
    await page.getByRole('table', { name: 'Stored captures' }).getByRole('row', { name: /merchant\.har/ }).waitFor();
    await screenshotBothThemes(page, 'captures-list');
    await page.getByRole('button', { name: 'Delete merchant.har' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete merchant.har?' });
    await dialog.getByRole('button', { name: 'Delete capture' }).click();
    await page.getByText('No captures yet.').waitFor();
    expect(session.captures.list()).toEqual([]);
  });

  it('scrolls a 100 000-exchange capture to its end with fewer than 200 rows in the DOM', async () => {
    const { page } = await consoles.open({ prepare: (session) => insertExchanges(session, 'c_bulk00000000001', 100_000) });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Captures' }).click();
    await page.getByRole('row', { name: /bulk\.har/ }).click();
    const grid = page.getByRole('grid', { name: 'Exchanges' });
    await grid.locator('[role=row][aria-rowindex="2"]').getByText('/v1/items/0', { exact: true }).waitFor();
    expect(await grid.getAttribute('aria-rowcount')).toBe('100001');

    await page.getByTestId('exchange-scroller').evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    const last = grid.locator('[role=row][aria-rowindex="100001"]');
    await last.getByText('/v1/items/99999').waitFor();
    expect(await grid.locator('[role=row][data-position]').count()).toBeLessThan(200);

    await last.click();
    await page.getByRole('complementary', { name: 'Exchange detail' }).getByText('#99999', { exact: true }).waitFor();
    await screenshotBothThemes(page, 'captures-100k');
  });
});

/** Writes a capture of `count` plain exchanges straight through the store (an import would take minutes). */
function insertExchanges(session: Session, captureId: string, count: number): void {
  const verdicts = ['jws:valid', 'jws:invalid', 'hmac-opg:replay', 'api-key:known'];
  session.transaction(() => {
    session.captures.begin({ id: captureId, name: 'bulk.har', format: 'har', fileName: 'bulk.har', importedAt: new Date(), checkedAt: null });
    for (let index = 0; index < count; index++) {
      const badge = verdicts[index % verdicts.length] ?? 'jws:valid';
      const [scheme, verdict] = badge.split(':') as [Finding['scheme'], Finding['verdict']];
      session.captures.addExchange(
        captureId,
        { index, startedAt: new Date(Date.UTC(2026, 5, 1, 12, 0, index % 60)).toISOString(), method: 'GET', host: 'api.klix.test', path: `/v1/items/${index}`, status: 200, severity: 0, verdicts: [badge] },
        {
          url: `${API}/v1/items/${index}`,
          httpVersion: 'HTTP/1.1',
          requestHeaders: [['Host', 'api.klix.test']],
          requestBody: null,
          requestMime: null,
          statusText: 'OK',
          responseVersion: 'HTTP/1.1',
          responseHeaders: [],
          responseBody: null,
          responseMime: null,
          requestBodyCapture: null,
          responseBodyCapture: null,
          malformed: null,
        },
        [{ exchange: index, direction: 'request', scheme, location: 'body', verdict, detail: 'written by the test' }],
      );
    }
    session.captures.complete(captureId, { bytes: count * 400, format: 'har', exchangeCount: count, summary: { valid: count / 2, invalid: count / 4, replay: count / 4 } });
  });
}
