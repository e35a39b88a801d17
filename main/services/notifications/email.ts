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

export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
  close(): void;
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
      await transport.sendMail({
        from: smtp.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        date: message.date,
        // The same Message-ID on every retry lets mail clients fold a duplicate after a lost reply.
        messageId: `<${message.notificationId}@signet.invalid>`,
        headers: { 'X-Signet-Notification': message.notificationId, 'X-Signet-Event': message.event },
      });
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
