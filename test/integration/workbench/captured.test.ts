import type { JsonWebKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerClientSpec, createClientSpec, type ClientKeyDerivationSpec, type ServerKeyDerivationInfo } from '../../../main/core/agreement/index.ts';
import { encryptFor } from '../../../main/core/jose/encrypt.ts';
import { verifyCapture } from '../../../main/services/captures.ts';
import { createEphemeral } from '../../../main/services/workbench/ephemeral.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// What a capture says of the workbench's schemes, seen from the traffic: key agreements and the
// responses to ephemeral sessions.
let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

const URL = 'https://bank.test/rest/key-agreement';

async function findings(entries: { body: string; response?: { body: string } }[]) {
  const path = writeCapture(store.dir, 'capture.har', harText(entries.map((entry) => ({ method: 'POST', url: URL, ...entry }))));
  return (await verifyCapture(store.session, { path })).findings.map(({ direction, verdict, detail }) => ({ direction, verdict, detail }));
}

function exchange(spec: ClientKeyDerivationSpec | Record<string, unknown>, info: ServerKeyDerivationInfo | Record<string, unknown>) {
  return { body: JSON.stringify(spec), response: { body: JSON.stringify(info) } };
}

describe('key agreement in a capture', () => {
  it('reads a signet-v1-x25519 exchange under that profile, and says so', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES2'], identifier: 'c', profile: 'signet-v1-x25519' });
    const { info } = answerClientSpec(spec, { identifier: 'Broker', profile: 'signet-v1-x25519' });
    expect(await findings([exchange(spec, info)])).toEqual([
      { direction: 'request', verdict: 'valid', detail: 'ClientKeyDerivationSpec well-formed under signet-v1-x25519: offers SCHEME-EC-AES2; public key valid in X25519' },
      { direction: 'response', verdict: 'valid', detail: expect.stringMatching(/^ServerKeyDerivationInfo well-formed under signet-v1-x25519: SCHEME-EC-AES2 .*valid in X25519$/) },
    ]);
  });

  it('names the default profile for a signet-v1 exchange', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES1'], identifier: 'c' });
    const { info } = answerClientSpec(spec, { identifier: 'Broker' });
    expect((await findings([exchange(spec, info)])).map((finding) => finding.detail)).toEqual([
      expect.stringContaining('well-formed under signet-v1: '),
      expect.stringContaining('well-formed under signet-v1: '),
    ]);
  });

  it('keeps a key that fits no profile malformed, with the default profile\'s reason', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES1'], identifier: 'c' });
    const { info } = answerClientSpec(spec, { identifier: 'Broker' });
    const [request] = await findings([exchange({ ...spec, public_key: Buffer.alloc(48, 9).toString('base64') }, info)]);
    expect(request).toEqual({ direction: 'request', verdict: 'malformed', detail: expect.stringMatching(/"public_key": a P-256 public key is .*this one is 48 bytes$/) });
  });

  it('judges the answer under the profile its request fitted: an X25519 key in answer to a P-256 spec is malformed', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES2'], identifier: 'c' });
    const x25519 = answerClientSpec(createClientSpec({ schemes: ['SCHEME-EC-AES2'], identifier: 'c', profile: 'signet-v1-x25519' }).spec, { identifier: 'Broker', profile: 'signet-v1-x25519' });
    expect((await findings([exchange(spec, x25519.info)])).map((finding) => finding.verdict)).toEqual(['valid', 'malformed']);
  });

  it('reports a scheme the client did not offer as invalid, whatever the size of the server key', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'], identifier: 'c' });
    const { info } = answerClientSpec(spec, { identifier: 'Broker' });
    expect((await findings([exchange(spec, { ...info, scheme: 'SCHEME-AES2' })]))[1]).toEqual({
      direction: 'response',
      verdict: 'invalid',
      detail: 'the server chose SCHEME-AES2, which the client did not offer (SCHEME-EC-AES1, SCHEME-EC-AES2)',
    });
  });

  it('says "scheme" is missing from an answer without one', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES1'], identifier: 'c' });
    const { scheme: _scheme, ...info } = answerClientSpec(spec, { identifier: 'Broker' }).info;
    expect((await findings([exchange(spec, info)]))[1]).toEqual({ direction: 'response', verdict: 'malformed', detail: 'ServerKeyDerivationInfo: key agreement: "scheme" is missing' });
  });
});

describe('a response to an ephemeral session in a capture', () => {
  // Needs core/schemes/jwe.ts to point there (see the report that came with this test).
  it('points to the session, whose key never leaves it', async () => {
    const session = await createEphemeral(store.session, {});
    const jwe = await encryptFor(session.publicJwk as JsonWebKey, '{"secret":"s3cr3t"}');
    const path = writeCapture(store.dir, 'ephemeral.har', harText([{ method: 'POST', url: 'https://third-party.test/card', body: '{}', response: { body: jwe } }]));
    const [finding] = (await verifyCapture(store.session, { path })).findings;
    expect(finding).toMatchObject({ scheme: 'jwe', verdict: 'undecryptable', detail: expect.stringContaining(`signet ephemeral decrypt ${session.id}`) });
  });
});
