import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/api/dispatch.ts';
import { OpensslCa } from '../integration/keys/openssl-ca.ts';
import { chromiumMissing, holdJobs, screenshotBothThemes, withConsole, type OpenedConsole } from '../support/browser.ts';

const missing = chromiumMissing();

describe.skipIf(missing !== undefined)('keys view', () => {
  const consoles = withConsole();

  /** An unlocked console, with keys made through the contract before the page opens. */
  async function consoleWith(keys: Parameters<typeof dispatch<'keys.generate'>>[2][] = []): Promise<OpenedConsole> {
    const opened = await consoles.open({
      prepare: async (session) => {
        for (const input of keys) await dispatch(session, 'keys.generate', input);
      },
    });
    await opened.page.getByRole('navigation', { name: 'Views' }).waitFor();
    return opened;
  }

  it('generates a key from the dialog and lists it with an active chip', async () => {
    const { page, pageErrors, session } = await consoleWith();
    await page.getByRole('button', { name: 'Generate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a key' });
    await dialog.getByLabel('Type').selectOption('ec');
    await dialog.getByLabel('Name').fill('Merchant signing');
    await dialog.getByLabel('Owner').fill('acme');
    await dialog.getByLabel('Issue a self-signed certificate with the key').check();
    await dialog.getByLabel('Subject', { exact: true }).fill('CN=acme merchant,O=Acme');
    await screenshotBothThemes(page, 'generate-dialog');
    await dialog.getByRole('button', { name: 'Generate' }).click();

    const row = page.getByRole('row', { name: /Merchant signing/ });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain('EC P-256');
    const [stored] = session.keys.list({});
    expect(stored?.owner).toBe('acme');
    expect(stored?.certificateDer).not.toBeNull();
    expect(pageErrors).toEqual([]);
  });

  it('hands focus back to the button that opened a dialog when it is dismissed', async () => {
    const { page } = await consoleWith();
    const opener = page.getByRole('button', { name: 'Generate' });
    for (const dismiss of ['Escape', 'Cancel']) {
      await opener.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Generate a key' });
      await dialog.waitFor();
      if (dismiss === 'Escape') await page.keyboard.press('Escape');
      else await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await opener.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);
    }
  });

  it('generates an RSA-4096 key as a job with progress, and stores nothing when it is cancelled', async () => {
    const { page, session } = await consoleWith();
    // The job is held at its first step, so the test never races the key generator.
    const held = holdJobs(session);
    await page.getByRole('button', { name: 'Generate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a key' });
    await dialog.getByLabel('Size').selectOption('4096');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await dialog.getByRole('progressbar', { name: 'Generating the key' }).waitFor();
    await dialog.getByText('RSA-4096').waitFor();
    await screenshotBothThemes(page, 'generate-progress');
    await dialog.getByRole('button', { name: 'Cancel generation' }).click();
    // The generator cannot be interrupted: the job ends (and drops the key) when it returns.
    await dialog.getByText('Generation cancelled: no key was stored.').waitFor({ timeout: 60_000 });
    held.release();

    expect(session.jobs.list().map((job) => job.state)).toEqual(['cancelled']);
    expect(session.keys.count()).toBe(0);
    expect(session.audit.list({}).some((entry) => entry.action === 'key.created')).toBe(false);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('opens a key in the detail pane and copies its public JWK', async () => {
    const { page, session } = await consoleWith([{ type: 'ed25519', name: 'Callback signer', owner: 'klix' }]);
    await page.getByRole('row', { name: /Callback signer/ }).click();
    const detail = page.getByRole('complementary', { name: 'Key detail' });
    await detail.getByRole('heading', { name: 'Public JWK' }).waitFor();
    await screenshotBothThemes(page, 'key-detail');

    await detail.getByRole('button', { name: 'Copy public JWK' }).click();
    await detail.getByText('Copied').waitFor();
    const copied = JSON.parse(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())) as Record<string, unknown>;
    const [stored] = session.keys.list({});
    expect(copied).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: stored?.kid });
    expect(copied).not.toHaveProperty('d');
  });

  it('imports a public key pasted as PEM into the trust store', async () => {
    const { page } = await consoleWith();
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByLabel('…or paste a PEM, JWK or JWKS').fill(pem);
    await dialog.getByLabel('Name').fill('Partner verification key');
    await dialog.getByLabel('Owner').fill('partner');
    await screenshotBothThemes(page, 'import-dialog');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();

    const row = page.getByRole('row', { name: /Partner verification key/ });
    await row.waitFor();
    expect(await row.getByRole('img', { name: 'Trust-store entry (public part only)' }).count()).toBe(1);
    expect(await row.textContent()).toContain('EC P-384');
  });

  it('imports an HMAC secret under its AppId', async () => {
    const { page } = await consoleWith();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByRole('tab', { name: 'HMAC secret' }).click();
    await dialog.getByLabel('AppId').fill('OPG-APP-7');
    await dialog.getByLabel('Written as').selectOption('hex');
    await dialog.getByLabel('Secret', { exact: true }).fill(randomBytes(32).toString('hex'));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const row = page.getByRole('row', { name: /HMAC OPG-APP-7/ });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain('HMAC 256');
  });

  it('shows the service refusal of a secret that is not what it is written as, without the secret', async () => {
    const { page, session } = await consoleWith();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByRole('tab', { name: 'HMAC secret' }).click();
    await dialog.getByLabel('AppId').fill('OPG-APP-8');
    await dialog.getByLabel('Written as').selectOption('base64');
    // 41 characters: one after the last four, which no bytes are written as.
    const cutShort = randomBytes(32).toString('base64url').slice(0, 41);
    await dialog.getByLabel('Secret', { exact: true }).fill(cutShort);
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.getByText('the secret is not base64: its length is not that of any bytes (is it cut short?)').waitFor();
    expect(await alert.textContent()).not.toContain(cutShort);
    expect(session.keys.count()).toBe(0);
  });

  it('says which held key an imported certificate was attached to, and opens that key', async () => {
    const { page, session } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'mTLS client' }]);
    const [key] = session.keys.list({});
    const csr = await dispatch(session, 'certs.csr', { ref: key?.id ?? 'missing', subject: 'CN=client.acme.test,O=Acme' });
    const ca = new OpensslCa();
    try {
      const issued = ca.issue(Buffer.from(csr.contentBase64, 'base64'), { from: '2020-01-01T00:00:00Z', to: '2049-01-01T00:00:00Z' });
      await page.getByRole('button', { name: 'Import' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import' });
      await dialog.getByLabel('…or paste a PEM, JWK or JWKS').fill(issued.toString('utf8'));
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
    } finally {
      ca.cleanup();
    }
    await page.getByRole('status').getByText(`Certificate attached to ${key?.kid} (mTLS client): O=Acme,CN=client.acme.test, issued by CN=Test CA.`).waitFor();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('heading', { name: 'mTLS client' }).waitFor();
    expect(session.keys.count()).toBe(1);
    await screenshotBothThemes(page, 'certificate-attached');
  });

  it('shows the service error inside the import dialog when the pasted text holds no key', async () => {
    const { page, session } = await consoleWith();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByLabel('…or paste a PEM, JWK or JWKS').fill('this is not a key');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim().length).toBeGreaterThan(0);
    expect(await alert.textContent()).not.toMatch(/at .*\.ts:\d+/);
    expect(session.keys.count()).toBe(0);
  });

  it('revokes a key with a reason and shows the revoked chip', async () => {
    const { page, session } = await consoleWith([{ type: 'rsa', bits: 2048, name: 'Old merchant key', owner: 'acme' }]);
    const row = page.getByRole('row', { name: /Old merchant key/ });
    await row.getByText('Active').waitFor();
    await row.click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Old merchant key' });
    await dialog.getByLabel('Reason').fill('key compromise');
    await screenshotBothThemes(page, 'revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();

    await row.getByText('Revoked').waitFor();
    const [stored] = session.keys.list({});
    expect(stored?.status).toBe('revoked');
    expect(stored?.revocationReason).toBe('key compromise');
  });

  it('renews a key expiring soon from its detail, and the chip and audit follow', async () => {
    const { page, session } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'Callback signer', owner: 'klix', expires: '10d' }]);
    const row = page.getByRole('row', { name: /Callback signer/ });
    await row.getByText('Expiring soon').waitFor();
    await row.click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'Renew' }).click();
    const dialog = page.getByRole('dialog', { name: 'Renew Callback signer' });
    await dialog.getByLabel('New expiry').fill('forever');
    await dialog.getByRole('button', { name: 'Renew key' }).click();
    await dialog.getByRole('alert').getByText(/not a date or a duration/).waitFor();
    await dialog.getByLabel('New expiry').fill('1y');
    await screenshotBothThemes(page, 'renew-dialog');
    await dialog.getByRole('button', { name: 'Renew key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Active', { exact: true }).waitFor();
    const [stored] = session.keys.list({});
    expect(Math.round(((stored?.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000)).toBe(365);
    expect(session.audit.list({ limit: 1 })[0]?.action).toBe('key.renewed');
  });

  it('downloads the public JWK through the export dialog', async () => {
    const { page } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'Export me' }]);
    await page.getByRole('row', { name: /Export me/ }).click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export Export me' });
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.jwk\.json$/);
    await dialog.waitFor({ state: 'detached' });
  });

  it('never starts an exported file name with a dash, which a command line would read as an option', async () => {
    const privateKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const { page, session } = await consoles.open({
      prepare: async (session) => void (await dispatch(session, 'keys.import', { contentBase64: privateKey, name: 'Dashing key', kid: '-3OPGJ_dash' })),
    });
    await page.getByRole('row', { name: /Dashing key/ }).click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export Dashing key' });
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('key-3OPGJ_dash.public.jwk.json');
    const csr = await dispatch(session, 'certs.csr', { ref: '-3OPGJ_dash', subject: 'CN=dash' });
    expect(csr.fileName).toBe('key-3OPGJ_dash.csr.pem');
  });

  it('offers no certificate or request for a revoked key, and says why', async () => {
    const { page, session } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'Retired signer' }]);
    const [key] = session.keys.list({});
    await dispatch(session, 'keys.revoke', { ref: key?.id ?? 'missing', reason: 'superseded' });
    await page.reload();
    await page.getByRole('row', { name: /Retired signer/ }).click();
    const actions = page.getByRole('complementary', { name: 'Key detail' }).getByRole('toolbar', { name: 'Key actions' });
    for (const name of ['Self-sign', 'CSR']) {
      const button = actions.getByRole('button', { name });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toMatch(/^A revoked key gets no new certificate or request/);
    }
    await screenshotBothThemes(page, 'key-detail-revoked');
  });

  it('shows the one algorithm a key type has, with no choice it does not offer', async () => {
    const { page } = await consoleWith();
    await page.getByRole('button', { name: 'Generate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a key' });
    const algorithm = dialog.getByLabel('Algorithm');
    for (const [type, only] of [['ec', 'ES256'], ['ed25519', 'EdDSA']] as const) {
      await dialog.getByLabel('Type').selectOption(type);
      expect(await algorithm.isDisabled()).toBe(true);
      expect(await algorithm.locator('option').allTextContents()).toEqual([only]);
    }
    await dialog.getByLabel('Type').selectOption('rsa');
    expect(await algorithm.isDisabled()).toBe(false);
    expect((await algorithm.locator('option').allTextContents())[0]).toBe('RS256 by default, others allowed');
  });

  it('names an unknown prefix in a subject alternative name as such', async () => {
    const { page } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'mTLS client' }]);
    await page.getByRole('row', { name: /mTLS client/ }).click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'CSR' }).click();
    const dialog = page.getByRole('dialog', { name: 'Certificate request for mTLS client' });
    await dialog.getByLabel('Subject', { exact: true }).fill('CN=client.acme.test');
    await dialog.getByLabel('Subject alternative names').fill('bogus:xyz');
    await dialog.getByRole('button', { name: 'Create request' }).click();
    await dialog.getByRole('alert').getByText(/unknown prefix "bogus:": write dns:, email:, ip: or uri:/).waitFor();
  });

  it('shows the PEM in whole 64-column lines, and every list column beside the detail at 900 px', async () => {
    const { page } = await consoleWith([{ type: 'rsa', bits: 2048, name: 'Wide detail' }]);
    await page.getByRole('row', { name: /Wide detail/ }).click();
    const pem = page.getByRole('region', { name: 'Public key (PEM)' }).locator('pre');
    await pem.waitFor();
    const layout = (): Promise<{ lines: number; boxes: number; overflow: number }> =>
      pem.evaluate((block) => {
        type Range = { selectNodeContents(node: unknown): void; getClientRects(): Iterable<{ top: number }> };
        const range = (globalThis as unknown as { document: { createRange(): Range } }).document.createRange();
        range.selectNodeContents(block);
        // One box per line of text when nothing wraps.
        const boxes = new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
        return { lines: (block.textContent ?? '').split('\n').length, boxes, overflow: block.scrollWidth - block.clientWidth };
      });
    const wide = await layout();
    expect(wide.boxes).toBe(wide.lines);
    expect(wide.overflow).toBeLessThanOrEqual(0);
    await screenshotBothThemes(page, 'key-detail-pem');

    await page.setViewportSize({ width: 900, height: 700 });
    const narrow = await layout();
    expect(narrow.boxes).toBe(narrow.lines);
    const table = page.getByRole('grid', { name: 'Keys' });
    const [expires, list] = await Promise.all([table.getByRole('columnheader', { name: 'Expires' }).boundingBox(), page.locator('.table-scroller').boundingBox()]);
    expect(expires && list && expires.x + expires.width <= list.x + list.width).toBe(true);
    await screenshotBothThemes(page, 'key-detail-900');
  });

  it('closes a dialog with Escape without changing anything', async () => {
    const { page, session } = await consoleWith();
    await page.getByRole('button', { name: 'Generate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a key' });
    await dialog.getByLabel('Name').fill('never made');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(session.keys.count()).toBe(0);
  });

  it('opens the import dialog with a key file dropped onto the view', async () => {
    const { page } = await consoleWith();
    const jwk = JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    const files = await page.evaluateHandle((text) => {
      const dom = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
      const transfer = new dom.DataTransfer();
      transfer.items.add(new File([text], 'partner.jwk', { type: 'application/json' }));
      return transfer;
    }, jwk);
    const view = page.getByRole('region', { name: 'Keys' });
    await view.dispatchEvent('dragenter', { dataTransfer: files });
    await page.getByText('Drop the key file to import it').waitFor();
    await view.dispatchEvent('drop', { dataTransfer: files });
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByText('partner.jwk').waitFor();
    await dialog.getByLabel('Name').fill('Dropped partner key');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('row', { name: /Dropped partner key/ }).waitFor();
  });

  it('creates a certificate request for a held key and shows its PEM', async () => {
    const { page, session } = await consoleWith([{ type: 'ec', curve: 'P-256', name: 'mTLS client' }]);
    await page.getByRole('row', { name: /mTLS client/ }).click();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('button', { name: 'CSR' }).click();
    const dialog = page.getByRole('dialog', { name: 'Certificate request for mTLS client' });
    await dialog.getByLabel('Subject', { exact: true }).fill('CN=client.acme.test,O=Acme');
    await dialog.getByLabel('Subject alternative names').fill('dns:client.acme.test');
    await dialog.getByLabel('Usage').selectOption('client');
    await dialog.getByRole('button', { name: 'Create request' }).click();
    await dialog.getByText('-----BEGIN CERTIFICATE REQUEST-----', { exact: false }).waitFor();
    await screenshotBothThemes(page, 'csr-dialog');
    expect(session.audit.list({}).some((entry) => entry.action === 'key.csr-created')).toBe(true);
  });

  it('keeps only the rows in view in the DOM for a long list', async () => {
    const { page } = await consoles.open({
      prepare: async (session) => {
        for (let index = 0; index < 400; index++) {
          await dispatch(session, 'keys.import', {
            contentBase64: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
            name: `Partner key ${String(index).padStart(3, '0')}`,
          });
        }
      },
    });
    const grid = page.getByRole('grid', { name: 'Keys' });
    await grid.getByRole('row', { name: /Partner key 000/ }).waitFor();
    expect(await grid.locator('tbody tr[data-index]').count()).toBeLessThan(60);
    expect(await grid.getAttribute('aria-rowcount')).toBe('401');

    await grid.getByRole('row', { name: /Partner key 000/ }).click();
    await page.keyboard.press('End');
    await grid.getByRole('row', { name: /Partner key 399/ }).waitFor();
    await page.getByRole('complementary', { name: 'Key detail' }).getByRole('heading', { name: 'Partner key 399' }).waitFor();
  });

  it('filters the table by status', async () => {
    const { page } = await consoleWith([
      { type: 'ed25519', name: 'Pending key', pending: true },
      { type: 'ed25519', name: 'Live key' },
    ]);
    await page.getByLabel('Status').selectOption('pending');
    // Both rows are there before the filter lands: wait for the live one to go.
    await page.getByRole('row', { name: /Live key/ }).waitFor({ state: 'detached' });
    await page.getByRole('row', { name: /Pending key/ }).waitFor();
  });
});
