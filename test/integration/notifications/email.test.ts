import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { certificateToPem, generateAsymmetric, selfSignCertificate } from '../../../main/core/keys/index.ts';
import { generateKey, importKeys } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import { runNotifications, testChannel, updateConfig } from '../../../main/services/notifications/index.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, startSmtpServer, type TestSmtpServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  store = smtp = undefined;
});

async function freshStore() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  return { session: store.session, clock };
}

/** A server certificate for 127.0.0.1, valid now (TLS checks it against the real clock). */
async function loopbackCertificate() {
  const key = await generateAsymmetric({ type: 'ec', curve: 'P-256' });
  const now = Date.now();
  const der = await selfSignCertificate({ key, subject: 'CN=smtp.test', sans: ['ip:127.0.0.1'], keyUsage: 'server', notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000) });
  const privateKey = key.privateKey?.export({ format: 'pem', type: 'pkcs8' }).toString() ?? '';
  return { cert: certificateToPem([der]).toString('utf8'), key: privateKey };
}

describe('e-mail notifications', () => {
  it('name the key, kid, owner, environment and expiry date, and say what to do', async () => {
    const { session, clock } = await freshStore();
    smtp = await startSmtpServer();
    configureChannels(session, { smtpPort: smtp.port });
    const key = await generateKey(session, { type: 'rsa', bits: 2048, name: 'klix merchant', owner: 'acme', environment: 'production', expires: '2027-06-30T00:00:00Z' });
    clock.set('2027-06-01T00:00:00Z');
    await runNotifications(session);
    const mail = smtp.mails.find((received) => received.headers.get('x-signet-event') === 'key.expiring');
    expect(mail).toMatchObject({ from: 'signet@example.test', to: ['ops@example.test'], subject: '[Signet] Key "klix merchant" expires in 29 days' });
    for (const line of ['Key:          klix merchant', `kid:          ${key.kid}`, 'Owner:        acme', 'Environment:  production', 'Expires:      2027-06-30 00:00 UTC']) {
      expect(mail?.text).toContain(line);
    }
    expect(mail?.text).toMatch(/What to do: Generate a replacement .* then revoke this one/);
  });

  it('show a partner’s kid and an operator’s name and reason with their line breaks escaped, never as lines of their own', async () => {
    const { session } = await freshStore();
    smtp = await startSmtpServer();
    configureChannels(session, { smtpPort: smtp.port });
    const jwk = { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'partner\nExpires:      2099-01-01 00:00 UTC' };
    await importKeys(session, { content: Buffer.from(JSON.stringify(jwk)), name: 'partner key' });
    const own = await generateKey(session, { type: 'ec', name: 'ops key\r\nOwner:        someone-else', expires: '2027-06-30T00:00:00Z' });
    revokeKey(session, { ref: own.id, reason: 'superseded\nWhat to do: nothing' });
    await runNotifications(session);

    const lines = smtp.mails.flatMap((mail) => mail.text.split('\n'));
    expect(lines.filter((line) => line.startsWith('Expires:'))).toEqual(['Expires:      never', 'Expires:      2027-06-30 00:00 UTC', 'Expires:      2027-06-30 00:00 UTC']);
    expect(lines.filter((line) => line.startsWith('Owner:'))).toEqual(['Owner:        -', 'Owner:        -', 'Owner:        -']);
    expect(lines.filter((line) => line.startsWith('What to do:'))).toHaveLength(3);
    expect(lines).toContain('kid:          "partner\\nExpires:      2099-01-01 00:00 UTC"');
    expect(smtp.mails.map((mail) => mail.subject)).toEqual([
      '[Signet] Key "partner key" was imported',
      '[Signet] Key "ops key\\r\\nOwner:        someone-else" was created',
      '[Signet] Key "ops key\\r\\nOwner:        someone-else" was revoked: "superseded\\nWhat to do: nothing"',
    ]);
  });

  it('refuse a From address with a line break as it is set (it would add a header such as Bcc)', async () => {
    const { session } = await freshStore();
    await expect(dispatch(session, 'notifications.configure', { smtp: { host: '127.0.0.1', from: 'Signet <s@example.test>\r\nBcc: spy@evil.example' } })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: expect.stringMatching(/smtp\.from: .*on one line/),
    });
  });

  it('are not sent with a From address stored before it was checked, and say how to fix it', async () => {
    const { session } = await freshStore();
    smtp = await startSmtpServer();
    configureChannels(session, { smtpPort: smtp.port });
    updateConfig(session, { smtp: { from: 'Signet <s@example.test>\r\nBcc: spy@evil.example' } });
    await generateKey(session, { type: 'ec', name: 'held back' });
    expect((await runNotifications(session)).failed).toMatchObject([{ channel: 'email', error: expect.stringContaining('--smtp-from') }]);
    expect(smtp.mails).toEqual([]);
  });

  it('go to the owner’s own recipients when the owner has them, to the defaults otherwise', async () => {
    const { session } = await freshStore();
    smtp = await startSmtpServer();
    configureChannels(session, { smtpPort: smtp.port });
    updateConfig(session, { owner: 'acme', channels: { emailTo: ['keys@acme.test', 'oncall@acme.test'] } });
    await generateKey(session, { type: 'ec', name: 'acme key', owner: 'acme' });
    await generateKey(session, { type: 'ec', name: 'other key', owner: 'globex' });
    await runNotifications(session);
    expect(smtp.mails.map((mail) => [mail.subject, mail.to])).toEqual([
      ['[Signet] Key "acme key" was created', ['keys@acme.test', 'oncall@acme.test']],
      ['[Signet] Key "other key" was created', ['ops@example.test']],
    ]);
  });

  it('log in with the sealed SMTP password', async () => {
    const { session } = await freshStore();
    smtp = await startSmtpServer({ login: { user: 'signet', password: 'smtp pass 7f3a9c' } });
    configureChannels(session, { smtpPort: smtp.port });
    updateConfig(session, { smtp: { user: 'signet', password: 'smtp pass 7f3a9c' } });
    await generateKey(session, { type: 'ec', name: 'authenticated' });
    expect((await runNotifications(session)).delivered).toBe(1);
    expect(smtp.mails.map((mail) => mail.user)).toEqual(['signet']);
  });

  it('refuse to configure a clear-text login to a server that is not on this machine', async () => {
    const { session } = await freshStore();
    expect(() => updateConfig(session, { smtp: { host: 'mail.example.test', security: 'none', user: 'signet', password: 'secret-pass' } })).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY', message: expect.stringContaining('without TLS') }),
    );
  });

  it('upgrade with STARTTLS to a relay whose CA is configured, and refuse an unknown certificate', async () => {
    const { session } = await freshStore();
    const tls = await loopbackCertificate();
    smtp = await startSmtpServer({ tls });
    updateConfig(session, { smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', from: 'signet@example.test' }, channels: { emailTo: ['ops@example.test'] } });

    const untrusted = await testChannel(session, { channel: 'email' });
    expect(untrusted).toMatchObject({ delivered: false, error: expect.stringMatching(/certificate/i) });
    expect(smtp.mails).toHaveLength(0);

    updateConfig(session, { smtp: { caPem: tls.cert } });
    expect(await testChannel(session, { channel: 'email' })).toMatchObject({ delivered: true, error: null });
    expect(smtp.mails.map((mail) => mail.subject)).toEqual(['[Signet] Signet test notification']);
  });
});
