import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unlockKeystore } from '../../../main/services/keystore.ts';
import { generateKey, type GenerateInput } from '../../../main/services/keys.ts';
import { verifyWebhookSignature } from '../../../main/services/notifications/index.ts';
import { Session } from '../../../main/services/session.ts';
import type { NotificationRunView, NotificationView } from '../../../main/services/notification-views.ts';
import { tempStore, TEST_PASSPHRASE, type TempStore } from '../../support/store.ts';
import { startSmtpServer, startWebhookServer, unusedPort, type TestSmtpServer, type TestWebhookServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
let webhook: TestWebhookServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  await webhook?.close();
  store = smtp = webhook = undefined;
});

const DAY_MS = 86_400_000;
const bin = join(import.meta.dirname, '../../../bin/signet.mjs');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function signet(path: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args, '--store', path], { env: { ...process.env, SIGNET_PASSPHRASE: TEST_PASSPHRASE } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A keystore made in-process, then left to the CLI (the test session is closed). */
async function cliStore(): Promise<string> {
  store = await tempStore();
  store.session.close();
  return store.path;
}

/**
 * Keys made in-process `daysAgo` days before now, on a clock that stands still: the CLI makes keys and
 * runs at the real time only, so a key's age decides which reminders a run finds due.
 */
async function generateDaysAgo(path: string, daysAgo: number, ...inputs: GenerateInput[]): Promise<void> {
  const madeAt = Date.now() - daysAgo * DAY_MS;
  const session = Session.open(path, { clock: () => new Date(madeAt) });
  try {
    await unlockKeystore(session, TEST_PASSPHRASE);
    for (const input of inputs) await generateKey(session, input);
  } finally {
    session.close();
  }
}

/** When a delivery that failed in this run is tried again: five minutes after the run's `at`, which its summary starts with. */
function firstRetry(summary: string): string {
  const at = /^Notifications at (\S+):/.exec(summary)?.[1];
  expect(at).toBeDefined();
  return new Date(Date.parse(at ?? '') + 5 * 60_000).toISOString();
}

async function configure(path: string, smtpPort: number, webhookUrl?: string): Promise<void> {
  const channels = webhookUrl ? ['--webhook-url', webhookUrl, '--webhook-secret-out', join(store?.dir ?? '', 'hook-secret.txt')] : [];
  const result = await signet(path, 'notify', 'config', 'set', '--email-to', 'ops@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtpPort), '--smtp-security', 'none', '--smtp-from', 'signet@example.test', ...channels);
  expect(result).toMatchObject({ code: 0, stderr: '' });
}

describe('signet notify', () => {
  it('runs from cron with --json, sends through both channels, and lists what it made', async () => {
    const path = await cliStore();
    smtp = await startSmtpServer();
    webhook = await startWebhookServer();
    await configure(path, smtp.port, webhook.url);
    // Ten days into a 100-day life: 90 days left, so the 90-day reminder is due now, with the creation notice.
    await generateDaysAgo(path, 10, { type: 'ec', name: 'cli key', owner: 'acme', expires: '100d' });

    const first = await signet(path, 'notify', 'run', '--json');
    expect(first.code).toBe(0);
    const run = JSON.parse(first.stdout) as NotificationRunView;
    expect(run).toMatchObject({ created: [{ event: 'key.created' }, { event: 'key.expiring', facts: { daysBefore: 90 } }], delivered: 4, failed: [] });
    const second = await signet(path, 'notify', 'run', '--json');
    expect(JSON.parse(second.stdout) as NotificationRunView).toMatchObject({ created: [], delivered: 0 });

    const listed = await signet(path, 'notify', 'list', '--json');
    expect((JSON.parse(listed.stdout) as NotificationView[]).map((n) => n.title)).toEqual(['Key "cli key" expires in 90 days', 'Key "cli key" was created']);
    expect(smtp.mails).toHaveLength(2);
    expect(webhook.posts).toHaveLength(2);

    const secretFile = join(store?.dir ?? '', 'hook-secret.txt');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    // Signed at the run's moment, as a receiver whose clock agrees checks them.
    for (const post of webhook.posts) {
      expect(verifyWebhookSignature(String(post.headers['x-signet-signature']), post.body, secret, new Date(run.at))).toBe(true);
    }
  });

  it('previews with notify due what a run would record, recording and sending nothing', async () => {
    const path = await cliStore();
    smtp = await startSmtpServer();
    await configure(path, smtp.port);
    await generateDaysAgo(path, 10, { type: 'ec', name: 'cli key', expires: '100d' });
    const due = await signet(path, 'notify', 'due');
    expect(due.code).toBe(0);
    expect(due.stdout).toMatch(/^Due at \S+: 2 to record \(a preview: nothing is recorded or sent\)\.\n/);
    expect(due.stdout).toMatch(/ key\.created +Key "cli key" was created +in-app os email\n/);
    expect(due.stdout).toMatch(/ key\.expiring +Key "cli key" expires in 90 days +in-app os email\n/);
    expect(JSON.parse((await signet(path, 'notify', 'list', '--json')).stdout)).toEqual([]);
    expect(smtp.mails).toEqual([]);
  });

  it('exits 1 when a delivery failed and stays queued, and says when it will try again', async () => {
    const path = await cliStore();
    await configure(path, await unusedPort());
    await generateDaysAgo(path, 0, { type: 'ed25519', name: 'unsent' });
    const run = await signet(path, 'notify', 'run');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed {2}n_\w+ {2}email \(attempt 1\): .*ECONN.*; next try /);
    expect(run.stdout).toContain(`; next try ${firstRetry(run.stdout)}`);
    const listed = await signet(path, 'notify', 'list');
    expect(listed.stdout).toContain('email:queued(1 failed)');
    expect(listed.stdout).toContain('Delivery problems:');
  });

  it('exits 1 and names the recipient the SMTP server refused, though the others got the e-mail', async () => {
    const path = await cliStore();
    smtp = await startSmtpServer({ refuse: (address) => address === 'keys@example.test' });
    await configure(path, smtp.port);
    expect((await signet(path, 'notify', 'config', 'set', '--email-to', 'ops@example.test,keys@example.test')).code).toBe(0);
    await generateDaysAgo(path, 0, { type: 'ed25519', name: 'half sent' });
    const run = await signet(path, 'notify', 'run');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('0 delivered, 1 failed');
    expect(run.stdout).toContain(`email (attempt 1): the SMTP server refused keys@example.test (550 no such user); next try ${firstRetry(run.stdout)}`);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.test']]);
  });

  it('sends each notification once when two runs start together', async () => {
    const path = await cliStore();
    smtp = await startSmtpServer();
    webhook = await startWebhookServer();
    await configure(path, smtp.port, webhook.url);
    // 19 days into a 40-day life: 21 days left, so the 30-day reminder is due now.
    await generateDaysAgo(path, 19, ...['one', 'two', 'three'].map((name) => ({ type: 'ed25519' as const, name, expires: '40d' })));
    const runs = await Promise.all([signet(path, 'notify', 'run', '--json'), signet(path, 'notify', 'run', '--json')]);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    const made = runs.flatMap((run) => (JSON.parse(run.stdout) as NotificationRunView).created.map((n) => n.title));
    expect(made.sort()).toEqual(['Key "one" expires in 21 days', 'Key "one" was created', 'Key "three" expires in 21 days', 'Key "three" was created', 'Key "two" expires in 21 days', 'Key "two" was created']);
    expect(smtp.mails).toHaveLength(6);
    expect(webhook.posts).toHaveLength(6);
  });

  it('marks notifications read and lists only the unread ones', async () => {
    const path = await cliStore();
    await generateDaysAgo(path, 0, { type: 'ed25519', name: 'a' }, { type: 'ed25519', name: 'b' });
    await signet(path, 'notify', 'run');
    const [newest] = JSON.parse((await signet(path, 'notify', 'list', '--json')).stdout) as NotificationView[];
    expect((await signet(path, 'notify', 'read', newest?.id ?? '')).stdout).toContain('Marked 1 read; 1 unread.');
    const unread = JSON.parse((await signet(path, 'notify', 'list', '--unread', '--json')).stdout) as NotificationView[];
    expect(unread.map((n) => n.title)).toEqual(['Key "a" was created']);
    expect((await signet(path, 'notify', 'read', '--all')).stdout).toContain('0 unread');
  });

  it('keeps the SMTP password out of what config show and set print', async () => {
    const path = await cliStore();
    const passwordFile = join(store?.dir ?? '', 'smtp-password.txt');
    writeFileSync(passwordFile, 'pw-e81c9d04aa\n', { mode: 0o600 });
    const set = await signet(path, 'notify', 'config', 'set', '--smtp-host', 'smtp.example.test', '--smtp-user', 'signet', '--smtp-password-file', passwordFile);
    const shown = await signet(path, 'notify', 'config', 'show', '--json');
    expect(set.code).toBe(0);
    expect(set.stdout + shown.stdout).not.toContain('pw-e81c9d04aa');
    expect(JSON.parse(shown.stdout)).toMatchObject({ smtp: { host: 'smtp.example.test', port: 587, security: 'starttls', user: 'signet', passwordSet: true } });
  });

  it('sends a test e-mail and reports it', async () => {
    const path = await cliStore();
    smtp = await startSmtpServer();
    await configure(path, smtp.port);
    const result = await signet(path, 'notify', 'test', 'email');
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/Test notification n_\w+ delivered by email\./) });
    expect(smtp.mails.map((mail) => mail.subject)).toEqual(['[Signet] Signet test notification']);
  });
});
