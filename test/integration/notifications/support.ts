import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { exportWebhookSecret, updateConfig, type OsNotice, type OsNotifier } from '../../../main/services/notifications/index.ts';
import type { Session } from '../../../main/services/session.ts';

// Real servers on 127.0.0.1 for the notification tests: an SMTP server (smtp-server) that keeps what it
// receives, and an HTTP server that keeps webhook posts. Both listen on port 0 unless told otherwise.

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Map<string, string>;
  subject: string;
  text: string;
  /** The AUTH user the client logged in as, if it did. */
  user: string | undefined;
}

export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=) in a header value. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_match, encoding: string, text: string) =>
    encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

/** Splits a single-part message into unfolded headers and a decoded text body. */
export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

export interface SmtpServerOptions {
  port?: number;
  login?: { user: string; password: string; echo?: boolean };
  tls?: Pick<SMTPServerOptions, 'key' | 'cert'>;
  /** Recipients answered "550 no such user" at RCPT TO (the others are accepted). */
  refuse?: (address: string) => boolean;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    ...(options.tls ? { ...options.tls } : { disabledCommands: ['STARTTLS'] }),
    authOptional: options.login === undefined,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (options.login && auth.username === options.login.user && auth.password === options.login.password) callback(null, { user: auth.username });
      // A careless server may echo what it was sent; Signet must not store that.
      else callback(new Error(options.login?.echo ? `Invalid password "${auth.password ?? ''}"` : 'Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (!options.refuse?.(address.address)) return callback();
      callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parseMail(raw);
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          headers,
          subject: headers.get('subject') ?? '',
          text,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookPost {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestWebhookServer {
  url: string;
  posts: WebhookPost[];
  /** The status the next posts get (204 unless changed). */
  answer(status: number): void;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<TestWebhookServer> {
  const posts: WebhookPost[] = [];
  let status = 204;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (status >= 200 && status < 300) posts.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/signet-hook`,
    posts,
    answer: (next) => (status = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (yet): an SMTP server that is down. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What the Electron host would show, kept for inspection (the desktop notifier itself needs a display). */
export function recordingOsNotifier(): OsNotifier & { shown: OsNotice[] } {
  const shown: OsNotice[] = [];
  return { shown, show: (notice) => void shown.push(notice) };
}

/** E-mail to ops@example.test through the test SMTP server, webhook to the test receiver (defaults scope). */
export function configureChannels(session: Session, channels: { smtpPort: number; webhookUrl?: string }): void {
  updateConfig(session, {
    smtp: { host: '127.0.0.1', port: channels.smtpPort, security: 'none', from: 'Signet <signet@example.test>' },
    channels: { emailTo: ['ops@example.test'], ...(channels.webhookUrl && { webhookUrl: channels.webhookUrl }) },
  });
}

/** The webhook signing secret as the receiver's operator gets it (the exported file's first line). */
export function webhookSecretOf(session: Session, owner?: string): string {
  const artifact = exportWebhookSecret(session, owner);
  return Buffer.from(artifact.contentBase64, 'base64').toString('utf8').trim();
}
