import { generateKeyPairSync } from 'node:crypto';
import { createClientSpec, answerClientSpec } from '../../../main/core/agreement/derive.ts';
import { addApiKey } from '../../../main/services/api-keys.ts';
import { generateKey, importKeys } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import { Session } from '../../../main/services/session.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import type { EntrySpec } from '../../support/capture.ts';
import { claims, encryptTo, merchantKeys, opgHeader, sign, unix } from '../captures/fixtures.ts';

const API = 'https://api.klix.test';
export const AT = '2026-06-01T12:00:00.000Z';

/**
 * A capture with every scheme and every verdict, repeated `rounds` times so that it spans many
 * worker batches: the replayed nonce of round 0 comes back in every later round, in other batches.
 */
export async function everyVerdict(session: Session, rounds: number): Promise<Array<EntrySpec | Record<string, unknown>>> {
  const keys = await merchantKeys(session);
  const hs = await generateKey(session, { type: 'hmac', appId: 'HS-APP', name: 'token secret' });
  const ed = await generateKey(session, { type: 'ed25519', name: 'participant' });
  const revoked = await generateKey(session, { type: 'rsa', name: 'compromised' });
  const signedByRevoked = await sign(session, revoked, '{"order":"after revocation"}');
  // The compromise is recorded after the fact, as in life: by then the capture's exchanges are past.
  const later = Session.open(session.path, { clock: () => new Date('2026-07-01T00:00:00Z') });
  revokeKey(later, { ref: revoked.id, reason: 'key compromise', at: '2026-05-01T00:00:00Z' });
  later.close();
  addApiKey(session, { header: 'X-KLIX-Api-Key', value: 'klix_live_0123456789abcdef', name: 'acme live' });
  updateSettings(session, { inspection: { signedRequestHosts: ['api.klix.test'], jwtAudiences: ['lender.test'], hmacCallbackPaths: ['/opg/callbacks'] } });
  const partner = await importKeys(session, { content: Buffer.from(JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }))), name: 'partner enc', use: 'enc' });

  const order = await sign(session, keys.rsa, '{"order":42}');
  const [header, , signature] = order.split('.');
  const tampered = `${header}.${Buffer.from('{"order":43}').toString('base64url')}.${signature}`;
  const unknownKid = await sign(session, keys.rsa, '{}', { kid: 'no-such-kid' });
  const jwt = (values: Record<string, unknown>) => sign(session, keys.ec, claims({ aud: 'lender.test', ...values }));
  const liveJwt = await jwt({ exp: unix('2026-06-01T13:00:00Z') });
  const expiredJwt = await jwt({ exp: unix('2026-06-01T11:00:00Z') });
  const wrongAudience = await sign(session, keys.ec, claims({ aud: 'someone-else', exp: unix('2026-06-01T13:00:00Z') }));
  const hsJwt = await sign(session, hs, claims({ aud: 'lender.test', exp: unix('2026-06-01T13:00:00Z') }));
  const edBody = await sign(session, ed, '{"participant":"p-1"}');
  const byExpiredKey = await sign(session, keys.ec, '{"cb":1}');
  const detachedBody = '{"loan":"LA-1"}';
  const detached = await sign(session, keys.rsa, detachedBody, { detached: true });
  const unencoded = await sign(session, keys.ec, detachedBody, { detached: true, b64: false });
  const held = await encryptTo(session, keys.enc, '{"secret":"s3cr3t"}');
  const notHeld = await encryptTo(session, partner[0] as never, 'hidden');
  const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES2'], identifier: Buffer.from('client-1') });
  const { info } = answerClientSpec(spec, { identifier: Buffer.from('server-1') });
  const uri = '/opg/surveys?x=1';
  const opgUrl = `https://api.onepoint.test${uri}`;
  const opg = (nonce: string, timestamp = unix(AT), body = '{"a":1}') => opgHeader(session, keys.hmac, { method: 'POST', uri, body, timestamp, nonce });
  const reused = opg('n-reused');
  const callback = opgHeader(session, keys.hmac, { method: 'POST', uri: '/opg/callbacks/1', body: '{}', timestamp: unix(AT) - 6000, nonce: 'cb' });

  const round = (r: number): Array<EntrySpec | Record<string, unknown>> => [
    { method: 'POST', url: `${API}/orders/${r}`, body: order, headers: { 'X-KLIX-Api-Key': 'klix_live_0123456789abcdef' } },
    { method: 'POST', url: `${API}/orders`, body: tampered, headers: { 'X-KLIX-Api-Key': 'klix_live_ffffffffffff9999' } },
    { method: 'POST', url: `${API}/orders`, body: unknownKid },
    { method: 'POST', url: `${API}/orders`, body: signedByRevoked, startedAt: '2026-05-02T00:00:00Z' },
    { method: 'POST', url: 'https://merchant.test/callback', body: byExpiredKey, startedAt: '2029-01-01T00:00:00Z' },
    { method: 'POST', url: `${API}/orders`, body: 'eyJub3Rqc29u.eyJ9.AAAA' },
    { method: 'POST', url: `${API}/orders`, body: '{"plain":true}' },
    { method: 'GET', url: `${API}/orders`, body: order },
    { url: 'https://lender.test/loans', headers: { Authorization: `Bearer ${liveJwt}` } },
    { url: 'https://lender.test/loans', headers: { Authorization: `Bearer ${expiredJwt}` } },
    { url: 'https://lender.test/loans', headers: { Authorization: `Bearer ${wrongAudience}` } },
    { url: 'https://lender.test/loans', headers: { Authorization: `Bearer ${hsJwt}` } },
    { method: 'POST', url: 'https://ocen.test/participants', body: edBody },
    { method: 'POST', url: 'https://lender.test/a', headers: { Signature: detached }, body: detachedBody, response: { headers: { 'x-jws-signature': unencoded }, body: detachedBody } },
    { method: 'POST', url: 'https://lender.test/a', headers: { Signature: detached }, body: '{"loan":"LA-2"}' },
    { method: 'POST', url: `${API}/secret`, response: { body: held } },
    { method: 'POST', url: `${API}/secret`, response: { body: notHeld } },
    { method: 'POST', url: opgUrl, headers: { Authorization: opg(`n-${r}`) }, body: '{"a":1}', startedAt: AT },
    { method: 'POST', url: opgUrl, headers: { Authorization: reused }, body: '{"a":1}', startedAt: AT },
    { method: 'POST', url: opgUrl, headers: { Authorization: opg(`s-${r}`, unix(AT) - 600) }, body: '{"a":1}', startedAt: AT },
    { method: 'POST', url: opgUrl, headers: { Authorization: opg(`t-${r}`) }, body: '{"a":2}', startedAt: AT },
    { method: 'POST', url: opgUrl, headers: { Authorization: opg(`u-${r}`).replace('OPG-APP-1', 'OPG-APP-9') }, body: '{"a":1}', startedAt: AT },
    { method: 'POST', url: opgUrl, headers: { Authorization: 'X-OPG-Signature only:two' }, startedAt: AT },
    { method: 'POST', url: 'https://api.onepoint.test/opg/callbacks/1', headers: { Authorization: callback }, body: '{}', startedAt: AT },
    { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: JSON.stringify(spec), response: { body: JSON.stringify({ ...info, scheme: r % 2 ? 'SCHEME-EC-AES1' : info.scheme }) } },
    { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: '{"identifier":"!!"}' },
    { startedDateTime: AT, request: 'not an object' },
  ];
  const entries: Array<EntrySpec | Record<string, unknown>> = [];
  for (let r = 0; r < rounds; r++) entries.push(...round(r));
  return entries;
}
