import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/api/dispatch.ts';
import { encryptCompact } from '../../main/core/jose/encrypt.ts';
import type { Session } from '../../main/services/session.ts';
import { chromiumMissing, screenshotBothThemes, withConsole, type OpenedConsole } from '../support/browser.ts';

const missing = chromiumMissing();

describe.skipIf(missing !== undefined)('workbench', () => {
  const consoles = withConsole();

  /** The workbench on one tool, over a keystore prepared through the contract. */
  async function tool(name: string, prepare?: (session: Session) => Promise<void>): Promise<OpenedConsole & { panel: Locator }> {
    const opened = await consoles.open({ prepare });
    const { page } = opened;
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Workbench' }).click();
    await page.getByRole('tab', { name }).click();
    return { ...opened, panel: page.getByRole('tabpanel', { name }) };
  }

  /** A keystore holding the OnePoint secret of AppId OPG-APP-9. */
  async function withOpgSecret(session: Session): Promise<void> {
    await dispatch(session, 'keys.generate', { type: 'hmac', appId: 'OPG-APP-9', name: 'OnePoint production' });
  }

  async function verdictOf(panel: Locator): Promise<string> {
    const result = panel.getByRole('article', { name: /verdict: / });
    await result.waitFor();
    return (await result.getAttribute('aria-label')) ?? '';
  }

  it('verifies a pasted token in the debugger, then reports the tampered one invalid', async () => {
    let token = '';
    const { page, panel, pageErrors } = await tool('Debugger', async (session) => {
      const key = await dispatch(session, 'keys.generate', { type: 'ec', curve: 'P-256', name: 'API token signer' });
      ({ token } = await dispatch(session, 'jose.sign', { key: key.id, jwt: { claims: { sub: 'merchant-42' }, exp: '1h', iss: 'https://auth.klix.test' } }));
    });
    await panel.getByLabel('Token', { exact: true }).fill(token);
    await panel.getByRole('region', { name: 'Header' }).getByText('"ES256"').waitFor();
    expect(await panel.getByRole('region', { name: 'Payload' }).textContent()).toContain('merchant-42');
    expect(await panel.getByLabel('Token parts').textContent()).toBe(token);
    await panel.getByRole('button', { name: 'Verify', exact: true }).click();
    expect(await verdictOf(panel)).toBe('verdict: valid');
    expect(await panel.getByRole('list', { name: 'Verification trace' }).textContent()).toContain('API token signer');
    await screenshotBothThemes(page, 'workbench-debugger');

    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'merchant-666' })).toString('base64url');
    await panel.getByLabel('Token', { exact: true }).fill(`${header}.${forged}.${signature}`);
    await panel.getByRole('region', { name: 'Payload' }).getByText('merchant-666', { exact: false }).waitFor();
    await panel.getByRole('button', { name: 'Verify', exact: true }).click();
    await panel.getByRole('article', { name: 'verdict: invalid' }).waitFor();
    expect(await panel.getByTestId('verdict-detail').textContent()).toMatch(/signature verification failed/);
    expect(pageErrors).toEqual([]);
  });

  it('signs an unencoded detached payload (RFC 7797) and verifies it in the debugger', async () => {
    const { page, panel } = await tool('Sign', async (session) => {
      await dispatch(session, 'keys.generate', { type: 'rsa', bits: 2048, name: 'Participant signing', owner: 'ocen' });
    });
    await panel.getByLabel('Signing key').selectOption({ index: 1 });
    await panel.getByLabel('Algorithm').selectOption('PS256');
    await panel.getByLabel('Form').selectOption('unencoded');
    await panel.getByLabel('Payload').fill('{"loanApplicationId":"LA-1"}');
    await panel.getByRole('button', { name: 'Sign', exact: true }).click();
    const token = (await panel.getByTestId('signed-token').textContent()) ?? '';
    expect(token.split('.')).toHaveLength(3);
    expect(token.split('.')[1]).toBe('');
    await screenshotBothThemes(page, 'workbench-sign');

    await panel.getByRole('button', { name: 'Verify in the debugger' }).click();
    const debuggerPanel = page.getByRole('tabpanel', { name: 'Debugger' });
    await debuggerPanel.getByRole('heading', { name: 'Decoded detached JWS' }).waitFor();
    expect(await debuggerPanel.getByRole('region', { name: 'Header' }).textContent()).toContain('"b64": false');
    expect(await debuggerPanel.getByLabel('Detached payload').inputValue()).toBe('{"loanApplicationId":"LA-1"}');
    await debuggerPanel.getByRole('button', { name: 'Verify', exact: true }).click();
    expect(await verdictOf(debuggerPanel)).toBe('verdict: valid');
  });

  it('shows no earlier token after a failed signing, and the lock screen once the keystore was locked elsewhere', async () => {
    const { page, panel, session } = await tool('Sign', async (prepared) => {
      await dispatch(prepared, 'keys.generate', { type: 'ec', name: 'Callback signer', owner: 'klix' });
    });
    await panel.getByLabel('Signing key').selectOption({ index: 1 });
    await panel.getByLabel('Payload').fill('{"order":1}');
    await panel.getByRole('button', { name: 'Sign', exact: true }).click();
    await panel.getByTestId('signed-token').waitFor();
    await panel.getByLabel('Form').selectOption('jwt');
    await panel.getByLabel('Claims (JSON)').fill('{"sub": ');
    await panel.getByRole('button', { name: 'Sign', exact: true }).click();
    await panel.getByRole('alert').getByText('The claims are not valid JSON.').waitFor();
    expect(await panel.getByTestId('signed-token').count()).toBe(0);
    await panel.getByLabel('Form').selectOption('compact');
    // Another tab, the idle timer or another process locks the keystore under this one.
    session.lock();
    await panel.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
  });

  it('encrypts to a stored key and decrypts the JWE back', async () => {
    const { page, panel } = await tool('Encrypt / Decrypt', async (session) => {
      await dispatch(session, 'keys.generate', { type: 'ec', curve: 'P-256', use: 'enc', name: 'Response decryption' });
    });
    await panel.getByRole('combobox').first().selectOption({ index: 1 });
    await panel.getByLabel('Plaintext').fill('{"otp":"493021"}');
    await panel.getByRole('button', { name: 'Encrypt', exact: true }).click();
    const jwe = (await panel.getByTestId('jwe-token').textContent()) ?? '';
    expect(jwe.split('.')).toHaveLength(5);

    await panel.getByLabel('JWE', { exact: true }).fill(jwe);
    await panel.getByRole('button', { name: 'Decrypt', exact: true }).click();
    expect(await verdictOf(panel)).toBe('verdict: decrypted');
    await panel.getByText('{"otp":"493021"}').waitFor();
    await screenshotBothThemes(page, 'workbench-crypt');
  });

  it('builds an X-OPG-Signature header with its canonical string and curl line, and verifies it', async () => {
    const body = '{"amount":"25.00","currency":"EUR"}';
    const { page, panel } = await tool('HMAC request', withOpgSecret);
    await panel.getByLabel('AppId').selectOption('OPG-APP-9');
    await panel.getByLabel('Nonce').fill('nonce-123');
    await panel.getByRole('button', { name: 'Sign request' }).click();

    const header = (await panel.getByTestId('hmac-header').textContent()) ?? '';
    expect(header).toMatch(/^Authorization: X-OPG-Signature OPG-APP-9:[A-Za-z0-9+/]+=*:nonce-123:\d{10}$/);
    const timestamp = header.split(':').at(-1) ?? '';
    const canonical = await panel.getByTestId('hmac-canonical').textContent();
    expect(canonical).toBe(`OPG-APP-9POST/v1/payments?channel=web${timestamp}nonce-123${Buffer.from(body).toString('base64')}`);
    const curl = await panel.getByTestId('hmac-curl').textContent();
    expect(curl).toContain(`curl -X POST 'https://api.onepoint.test/v1/payments?channel=web' -H '${header}'`);
    expect(curl).toContain(`--data-binary '${body}'`);

    await panel.getByRole('button', { name: 'Verify request' }).click();
    expect(await verdictOf(panel)).toBe('hmac-opg verdict: valid');
    await screenshotBothThemes(page, 'workbench-hmac');
  });

  it('puts a host placeholder in the curl line of a request given as a path only, and says so', async () => {
    const { page, panel } = await tool('HMAC request', withOpgSecret);
    await panel.getByLabel('Request URL').fill('/opg/surveys?x=1');
    await panel.getByLabel('AppId').selectOption('OPG-APP-9');
    await panel.getByRole('button', { name: 'Sign request' }).click();
    const curl = (await panel.getByTestId('hmac-curl').textContent()) ?? '';
    expect(curl).toMatch(/^curl -X POST 'https:\/\/<host>\/opg\/surveys\?x=1' -H /);
    await panel.getByText("The request URL is a path only: put the partner's host in place of <host> before running it.").waitFor();
    expect(await panel.getByTestId('hmac-canonical').textContent()).toMatch(/^OPG-APP-9POST\/opg\/surveys\?x=1/);
    await screenshotBothThemes(page, 'workbench-hmac-path');
  });

  it('creates an ephemeral key, decrypts the response sent to it, and shows the key destroyed', async () => {
    const { page, panel, session } = await tool('Ephemeral session');
    await panel.getByRole('button', { name: 'Create key pair' }).click();
    await panel.getByRole('timer').waitFor();
    const jwk = JSON.parse((await panel.getByTestId('ephemeral-jwk').textContent()) ?? '{}') as { kid: string };
    await screenshotBothThemes(page, 'workbench-ephemeral');

    // The third party's side, outside the console: encrypt to the public half that was sent.
    const publicKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const jwe = await encryptCompact({ publicKey, keyType: 'ec', plaintext: Buffer.from('{"secret":"s3cr3t-token"}'), kid: jwk.kid });
    await panel.getByLabel('Response JWE').fill(jwe);
    await panel.getByRole('button', { name: 'Decrypt and destroy the key' }).click();
    await panel.getByText('{"secret":"s3cr3t-token"}').waitFor();
    await panel.getByTestId('ephemeral-state').getByText(/Private key destroyed .* \(used once\)/).waitFor();
    expect(await panel.getByRole('button', { name: 'Decrypt and destroy the key' }).isDisabled()).toBe(true);
    expect(session.ephemeral.get(jwk.kid)?.privateSealed ?? null).toBeNull();
  });

  it('runs a key agreement as client and server, then seals and opens a field under the agreed key', async () => {
    const { page, panel } = await tool('Key agreement');
    await panel.getByRole('button', { name: 'Create client spec' }).click();
    const spec = JSON.parse((await panel.getByTestId('client-spec').textContent()) ?? '{}') as { supported_schemes: string[] };
    expect(spec.supported_schemes).toEqual(['SCHEME-EC-AES2', 'SCHEME-EC-AES1']);

    await panel.getByRole('button', { name: 'Use the client spec' }).click();
    await panel.getByRole('button', { name: 'Answer as server' }).click();
    const info = JSON.parse((await panel.getByTestId('server-info').textContent()) ?? '{}') as { scheme: string; client_reference_id: string };
    expect(info.scheme).toBe('SCHEME-EC-AES2');
    await panel.getByRole('button', { name: 'Hand to the client' }).click();
    await panel.getByRole('button', { name: 'Check proof and finish' }).click();
    const finished = panel.getByTestId('agreement-finished');
    await finished.getByText('SCHEME-EC-AES2').waitFor();
    expect(await finished.textContent()).toContain(info.client_reference_id);

    await panel.getByLabel('Plaintext').fill('4111 1111 1111 1111');
    await panel.getByRole('button', { name: 'Seal', exact: true }).click();
    await expect.poll(() => panel.getByLabel('Sealed field', { exact: true }).inputValue()).not.toBe('');
    await panel.getByRole('button', { name: 'Open', exact: true }).click();
    expect(await panel.getByTestId('opened-field').textContent()).toContain('4111 1111 1111 1111');
    await screenshotBothThemes(page, 'workbench-agreement');
  });

  it('runs a key agreement under the signet-v1-x25519 profile chosen on both sides', async () => {
    const { panel } = await tool('Key agreement');
    const client = panel.getByRole('region', { name: 'Client' });
    const server = panel.getByRole('region', { name: 'Server' });
    await client.getByLabel('Profile').selectOption('signet-v1-x25519');
    await client.getByText('SCHEME-EC-AES2 (X25519, AES-256)').waitFor();
    await client.getByRole('button', { name: 'Create client spec' }).click();
    const spec = JSON.parse((await panel.getByTestId('client-spec').textContent()) ?? '{}') as { public_key: string };
    expect(Buffer.from(spec.public_key, 'base64')).toHaveLength(32);

    await server.getByRole('button', { name: 'Use the client spec' }).click();
    await server.getByLabel('Profile').selectOption('signet-v1-x25519');
    await server.getByRole('button', { name: 'Answer as server' }).click();
    await server.getByRole('button', { name: 'Hand to the client' }).click();
    await client.getByRole('button', { name: 'Check proof and finish' }).click();
    await panel.getByTestId('agreement-finished').getByText('SCHEME-EC-AES2').waitFor();
  });
});
