import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { READS, type MethodName } from '../../../main/api/names.ts';
import { importCapture } from '../../../main/services/captures.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { Session } from '../../../main/services/session.ts';
import { agreeAsClient } from '../../../main/services/workbench/agreement.ts';
import { createEphemeral } from '../../../main/services/workbench/ephemeral.ts';
import { signToken } from '../../../main/services/workbench/jose.ts';
import { harText } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// Every method a locked keystore answers as a read (main/api/names.ts READS) is run on a locked keystore
// holding one of everything, with inputs that reach its service; the file must be the same afterwards,
// row for row. A method classed as a read that writes (as listing ephemeral sessions once did: it destroys
// the expired ones) fails here.
let store: TempStore;
const made = { key: '', secret: 'OPG-APP-1', capture: '', token: '', agreement: '', har: '' };
const base64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  const past = new Date(Date.now() - 3_600_000);
  store = await tempStore({ clock: () => past });
  const key = await generateKey(store.session, { type: 'ec', name: 'signer' });
  await generateKey(store.session, { type: 'hmac', appId: made.secret });
  made.key = key.id;
  made.token = (await signToken(store.session, { key: key.id, payload: Buffer.from('{"order":1}') })).token;
  made.har = join(store.dir, 'orders.har');
  writeFileSync(made.har, harText([{ method: 'POST', url: 'https://api.klix.test/orders', body: made.token }]));
  made.capture = (await importCapture(store.session, { path: made.har })).id;
  // Expired by now (a minute's TTL an hour ago): what listing ephemeral sessions would destroy.
  await createEphemeral(store.session, { ttl: '1m' });
  made.agreement = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES2'], identifier: 'merchant-1' }).ref;
  store.session.close();
}, 60_000);
afterAll(() => store.cleanup());

const INPUTS: Record<string, () => unknown> = {
  'keystore.status': () => ({}),
  'settings.get': () => ({}),
  'keys.list': () => ({}),
  'keys.show': () => ({ ref: made.key }),
  'keys.export': () => ({ ref: made.key, part: 'private', format: 'pem' }),
  'audit.list': () => ({}),
  'audit.verify': () => ({}),
  'audit.deletedKeys': () => ({}),
  'jobs.get': () => ({ id: 'j_0000000000000000' }),
  'jobs.list': () => ({}),
  // The keys' creation is not announced yet: what is due is collected, then rolled back.
  'notifications.due': () => ({}),
  'notifications.list': () => ({}),
  'notifications.unreadCount': () => ({}),
  'notifications.config': () => ({}),
  'captures.verify': () => ({ path: made.har }),
  'captures.list': () => ({}),
  'captures.get': () => ({ id: made.capture }),
  'captures.exchanges': () => ({ id: made.capture }),
  'captures.exchange': () => ({ id: made.capture, index: 0, reveal: true }),
  'apikeys.list': () => ({}),
  'jose.sign': () => ({ key: made.key, payloadBase64: base64('{"order":2}') }),
  'jose.verify': () => ({ token: made.token }),
  'jose.encrypt': () => ({ key: made.key, plaintextBase64: base64('secret') }),
  'jose.decrypt': () => ({ token: made.token }),
  'jose.decode': () => ({ token: made.token }),
  'hmac.sign': () => ({ appId: made.secret, method: 'POST', uri: '/opg/a', bodyBase64: base64('{}') }),
  'hmac.verify': () => ({ header: `X-OPG-Signature ${made.secret}:c2ln:n1:1700000000`, method: 'POST', uri: '/opg/a' }),
  'agree.encrypt': () => ({ ref: made.agreement, plaintextBase64: base64('PAN') }),
  'agree.decrypt': () => ({ ref: made.agreement, sealed: 'AAAA' }),
  'agree.list': () => ({}),
};

/** Every row of every table, in a fixed order. */
function dump(path: string): Record<string, unknown[]> {
  const session = Session.open(path);
  try {
    const tables = session.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, session.db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
  } finally {
    session.close();
  }
}

describe('a locked keystore, asked every read', () => {
  it('has an input here for every method classed as a read', () => {
    expect([...READS].filter((name) => !(name in INPUTS))).toEqual([]);
  });

  it('is the same file afterwards, row for row, whatever each read answered', async () => {
    const before = dump(store.path);
    const session = Session.open(store.path);
    const answers: Record<string, string> = {};
    try {
      for (const name of READS) {
        answers[name] = await dispatch(session, name as MethodName, INPUTS[name]?.()).then(
          () => 'answered',
          (error: { code?: string }) => error.code ?? 'error',
        );
      }
    } finally {
      session.close();
    }
    // Reads of sealed material ask for the passphrase; the rest answer.
    expect(answers).toMatchObject({ 'keys.list': 'answered', 'captures.exchanges': 'answered', 'notifications.due': 'answered', 'keys.export': 'ERR_LOCKED', 'jose.sign': 'ERR_LOCKED' });
    expect(dump(store.path)).toEqual(before);
  });
});
