import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerClientSpec, createClientSpec } from '../../../main/core/agreement/index.ts';
import { agreeAsClient, agreeAsServer, agreementDecrypt, agreementEncrypt, finishAsClient } from '../../../main/services/workbench/agreement.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// Key agreement from either side, through the service and a real keystore.
let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

describe('the signet-v1-x25519 profile', () => {
  it('agrees under it as client and server; finish reads the profile from the client state', () => {
    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES2'], identifier: 'merchant-1', profile: 'signet-v1-x25519' });
    expect(Buffer.from(client.spec.public_key, 'base64')).toHaveLength(32);
    const server = agreeAsServer(store.session, { spec: JSON.stringify(client.spec), identifier: 'bank', profile: 'signet-v1-x25519' });
    expect(finishAsClient(store.session, { ref: client.ref, info: JSON.stringify(server.info) })).toMatchObject({ ref: server.ref, scheme: 'SCHEME-EC-AES2', agreed: true });
    const { sealed } = agreementEncrypt(store.session, { ref: server.ref, plaintext: Buffer.from('PAN 4111') });
    expect(agreementDecrypt(store.session, { ref: server.ref, sealed }).plaintext).toBe('PAN 4111');
    // The client's own ref is gone once finished: the refusal says where the agreement went.
    expect(() => agreementEncrypt(store.session, { ref: client.ref, plaintext: Buffer.from('PAN 4111') })).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_FOUND', message: expect.stringContaining("a finished agreement goes by the server's client_reference_id") }),
    );
  });

  it('answers a partner spec made under it, and finishes with the partner\'s answer', () => {
    const partner = createClientSpec({ schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'], identifier: 'partner', profile: 'signet-v1-x25519' });
    const answered = agreeAsServer(store.session, { spec: JSON.stringify(partner.spec), identifier: 'bank', profile: 'signet-v1-x25519' });
    expect(answered.info.scheme).toBe('SCHEME-EC-AES2');

    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES1'], identifier: 'merchant-1', profile: 'signet-v1-x25519' });
    const { info } = answerClientSpec(client.spec, { identifier: 'partner-bank', profile: 'signet-v1-x25519' });
    expect(finishAsClient(store.session, { ref: client.ref, info: JSON.stringify(info), profile: 'signet-v1-x25519' })).toMatchObject({ scheme: 'SCHEME-EC-AES1', agreed: true });
  });

  it('refuses to finish under a profile other than the one the client started with', () => {
    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES2'], identifier: 'merchant-1', profile: 'signet-v1-x25519' });
    const { info } = answerClientSpec(client.spec, { identifier: 'bank', profile: 'signet-v1-x25519' });
    expect(() => finishAsClient(store.session, { ref: client.ref, info: JSON.stringify(info), profile: 'signet-v1' })).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_INPUT', message: 'this private state was made under profile signet-v1-x25519, not signet-v1' }),
    );
  });
});

describe('the server\'s answer', () => {
  it('says the server chose a scheme the client did not offer, not that its key has the wrong size', () => {
    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES1'], identifier: 'merchant-1' });
    const { info } = answerClientSpec(client.spec, { identifier: 'bank' });
    expect(() => finishAsClient(store.session, { ref: client.ref, info: JSON.stringify({ ...info, scheme: 'SCHEME-AES2' }) })).toThrow(
      expect.objectContaining({ code: 'ERR_AGREEMENT', message: 'the server chose SCHEME-AES2, which the client did not offer (SCHEME-EC-AES1)' }),
    );
  });

  it('says "scheme" is missing when it is', () => {
    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES1'], identifier: 'merchant-1' });
    const { scheme: _scheme, ...info } = answerClientSpec(client.spec, { identifier: 'bank' }).info;
    expect(() => finishAsClient(store.session, { ref: client.ref, info: JSON.stringify(info) })).toThrow(expect.objectContaining({ code: 'ERR_AGREEMENT_MALFORMED', message: 'key agreement: "scheme" is missing' }));
  });
});

describe('finishing twice', () => {
  it('says the agreement is already finished, under its new reference', () => {
    const client = agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES2'], identifier: 'merchant-1' });
    const info = JSON.stringify(answerClientSpec(client.spec, { identifier: 'bank' }).info);
    const finished = finishAsClient(store.session, { ref: client.ref, info });
    expect(() => finishAsClient(store.session, { ref: client.ref, info })).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_INPUT', message: `key agreement ${client.ref} is already finished: this answer agreed on SCHEME-EC-AES2, under its new reference ${finished.ref}` }),
    );
    expect(() => finishAsClient(store.session, { ref: finished.ref, info })).toThrow(expect.objectContaining({ message: `key agreement ${finished.ref} is already finished (SCHEME-EC-AES2)` }));
  });

  it('still says a reference it never knew is unknown', () => {
    expect(() => finishAsClient(store.session, { ref: 'g_0000000000000000', info: '{}' })).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND', message: expect.stringMatching(/^no key agreement "g_0000000000000000"/) }));
  });
});

describe('time to live', () => {
  it('refuses a TTL of zero on either side', () => {
    expect(() => agreeAsClient(store.session, { schemes: ['SCHEME-EC-AES2'], identifier: 'merchant-1', ttl: '0m' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT', message: expect.stringMatching(/TTL longer than zero/) }));
    const { spec } = createClientSpec({ schemes: 'SCHEME-EC-AES2', identifier: 'partner' });
    expect(() => agreeAsServer(store.session, { spec: JSON.stringify(spec), identifier: 'bank', ttl: '0h' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
    expect(store.session.agreements.list()).toEqual([]);
  });
});
