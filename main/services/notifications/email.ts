import nodemailer from 'nodemailer';
import type { NotificationRecord } from '../../store/notifications.ts';
import type { SmtpSettings } from './schemas.ts';

// E-mail over SMTP with nodemailer. "tls" is implicit TLS (usually port 465); "starttls" upgrades a
// plain connection and refuses to go on without it (requireTLS, so a stripped STARTTLS offer cannot
// downgrade us to clear text); "none" is for a relay on loopback. Certificates are always verified;
// an internal relay's CA is trusted through `caPem`, never by switching verification off.

export interface EmailMessage {
  notificationId: string;
  event: string;
  to: string;
  subject: string;
  text: string;
  date: Date;
}

/** A recipient the server refused at RCPT TO, with its reply ("550 no such user"). */
export interface Refusal {
  address: string;
  reply: string;
}

export interface EmailSender {
  /** The recipients the server refused (the others got the message); empty when all took it. */
  send(message: EmailMessage): Promise<Refusal[]>;
  close(): void;
}

/** What nodemailer puts on each refused recipient's error. */
interface RecipientError {
  recipient?: string | undefined;
  response?: string | undefined;
}

/** `to` stands for a refusal that names no recipient: all of them stay owed rather than none. */
function refusalsOf(errors: RecipientError[] | undefined, to: string): Refusal[] {
  return (errors ?? []).map((error) => ({ address: error.recipient ?? to, reply: error.response?.split('\n')[0]?.trim() || 'refused' }));
}

const TIMEOUT_MS = 15_000;

export function emailSender(smtp: SmtpSettings, password: string | undefined): EmailSender {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user !== null && { auth: { user: smtp.user, pass: password ?? '' } }),
    ...(smtp.caPem !== null && { tls: { ca: smtp.caPem } }),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    logger: false,
  });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          date: message.date,
          // The same Message-ID on every retry lets mail clients fold a duplicate after a lost reply.
          messageId: `<${message.notificationId}@signet.invalid>`,
          headers: { 'X-Signet-Notification': message.notificationId, 'X-Signet-Event': message.event },
        });
        // Some refused, the rest accepted: nodemailer resolves, and only `rejectedErrors` says who missed out.
        return refusalsOf(info.rejectedErrors, message.to);
      } catch (error) {
        // All refused: nothing went out, for each of them the same outcome as above.
        const { code, rejectedErrors } = error as { code?: unknown; rejectedErrors?: RecipientError[] };
        if (code === 'EENVELOPE' && rejectedErrors && rejectedErrors.length > 0) return refusalsOf(rejectedErrors, message.to);
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}

export function emailFor(notification: NotificationRecord, to: string, at: Date): EmailMessage {
  return {
    notificationId: notification.id,
    event: notification.event,
    to,
    subject: `[Signet] ${notification.title}`,
    text: `${notification.title}\n\n${notification.body}\n\n-- \nSent by Signet (notification ${notification.id}).\n`,
    date: at,
  };
}
