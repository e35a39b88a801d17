import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import type { NotificationRecord } from '../../store/notifications.ts';

/**
 * Webhooks: a JSON POST (for SMS gateways, chat, ticketing). The receiver checks it came from Signet
 * and is fresh with the header
 *
 *   X-Signet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>
 *
 * where the key is the secret string (as UTF-8) from `signet notify config set --webhook-secret-out`.
 * The timestamp is inside the MAC, so a captured post cannot be replayed later with a new `t`; the
 * receiver rejects a `t` more than five minutes from its clock, compares in constant time, and may
 * drop repeats of `X-Signet-Delivery` (the same on every retry of one notification).
 */
export const SIGNATURE_HEADER = 'x-signet-signature';
export const DELIVERY_HEADER = 'x-signet-delivery';
export const DEFAULT_TOLERANCE_SECONDS = 300;
const TIMEOUT_MS = 15_000;

export function webhookSignature(body: string, secret: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${mac}`;
}

/** The receiver's check, exported as the reference for anyone writing one (and used by the tests). */
export function verifyWebhookSignature(header: string, body: string, secret: string, now: Date, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  const fields = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const t = Number(fields.get('t'));
  const given = fields.get('v1');
  if (!Number.isInteger(t) || given === undefined || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.${body}`, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/** The JSON a receiver gets: the notification's words and the facts behind them (labels and dates only). */
export function webhookPayload(notification: NotificationRecord): string {
  const facts = notification.facts;
  return JSON.stringify({
    id: notification.id,
    event: notification.event,
    createdAt: notification.createdAt.toISOString(),
    title: notification.title,
    text: notification.body,
    key: notification.keyId === null && (facts.kid ?? null) === null
      ? null
      : {
          id: notification.keyId,
          kid: facts.kid ?? null,
          name: facts.keyName ?? null,
          owner: facts.owner ?? '',
          environment: facts.environment ?? '',
          type: facts.keyType ?? null,
          expiresAt: facts.expiresAt ?? null,
        },
    ...(facts.reason !== undefined && { revocation: { reason: facts.reason, effectiveAt: facts.effectiveAt ?? null } }),
    ...(facts.daysBefore !== undefined && { reminder: { daysBefore: facts.daysBefore, daysLeft: facts.daysLeft ?? null, covers: facts.covers ?? [] } }),
  });
}

export async function postWebhook(url: string, notification: NotificationRecord, secret: string, at: Date): Promise<void> {
  const body = webhookPayload(notification);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Signet-Notifications',
        [SIGNATURE_HEADER]: webhookSignature(body, secret, at),
        [DELIVERY_HEADER]: notification.id,
        'x-signet-event': notification.event,
      },
      body,
      // A redirect would carry a signed body somewhere nobody configured: treat it as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new SignetError('ERR_DELIVERY', `webhook ${new URL(url).host} unreachable (${cause})`);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    throw new SignetError('ERR_DELIVERY', `webhook ${new URL(url).host} answered HTTP ${response.status}`);
  }
}
