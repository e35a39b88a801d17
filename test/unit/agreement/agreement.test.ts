import { createECDH, createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AGREEMENT_PROFILE_IDS,
  AGREEMENT_PROFILES,
  DEFAULT_AGREEMENT_PROFILE,
  SCHEMES,
  answerClientSpec,
  createClientSpec,
  finishAgreement,
  openField,
  sealField,
  type ClientKeyDerivationSpec,
  type ServerKeyDerivationInfo,
} from '../../../main/core/agreement/index.ts';

const profiles = Object.keys(AGREEMENT_PROFILES);

describe('profiles', () => {
  it('lists every profile for choosers, the default first', () => {
    expect(AGREEMENT_PROFILE_IDS).toEqual(profiles);
    expect(AGREEMENT_PROFILE_IDS[0]).toBe(DEFAULT_AGREEMENT_PROFILE);
  });
});

function agree(schemes: (typeof SCHEMES)[number] | (typeof SCHEMES)[number][], profile = 'signet-v1') {
  const client = createClientSpec({ schemes, identifier: 'WindowsLOCATIONID:5225', profile });
  const server = answerClientSpec(client.spec, { identifier: 'Broker', profile });
  return { client, server };
}

function withInfo(info: ServerKeyDerivationInfo, change: Partial<ServerKeyDerivationInfo>): ServerKeyDerivationInfo {
  return { ...info, ...change };
}

function flipByteOf(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe.each(profiles)('client against server under %s', (profile) => {
  it.each(SCHEMES)('agrees on one key with %s and checks the proof', (scheme) => {
    const { client, server } = agree(scheme, profile);
    const finished = finishAgreement(client.privateState, client.spec, server.info);
    expect(finished.sharedKey.equals(server.sharedKey)).toBe(true);
    expect(finished.sharedKey).toHaveLength(scheme.endsWith('1') ? 16 : 32);
    expect(finished).toMatchObject({ scheme, clientReferenceId: server.info.client_reference_id });
  });
});

describe('scheme negotiation', () => {
  it('lets a client offer both EC schemes with one key; the server picks AES-256 by default', () => {
    const { client, server } = agree(['SCHEME-EC-AES1', 'SCHEME-EC-AES2']);
    expect(server.info.scheme).toBe('SCHEME-EC-AES2');
    expect(finishAgreement(client.privateState, client.spec, server.info).sharedKey).toHaveLength(32);
  });

  it('follows the server\'s stated preference', () => {
    const client = createClientSpec({ schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'], identifier: 'c' });
    const server = answerClientSpec(client.spec, { identifier: 's', preferredSchemes: ['SCHEME-EC-AES1'] });
    expect(server.info.scheme).toBe('SCHEME-EC-AES1');
  });

  it('refuses when there is no scheme in common', () => {
    const client = createClientSpec({ schemes: 'SCHEME-AES1', identifier: 'c' });
    expect(() => answerClientSpec(client.spec, { identifier: 's', preferredSchemes: ['SCHEME-AES2'] })).toThrow(
      expect.objectContaining({ code: 'ERR_AGREEMENT', message: expect.stringMatching(/no scheme in common/) }),
    );
  });

  it('refuses to offer schemes from different groups under one key', () => {
    expect(() => createClientSpec({ schemes: ['SCHEME-AES1', 'SCHEME-AES2'], identifier: 'c' })).toThrow(/different groups/);
  });

  it('refuses a server answer naming a scheme the client did not offer', () => {
    const { client, server } = agree('SCHEME-EC-AES1');
    expect(() => finishAgreement(client.privateState, client.spec, withInfo(server.info, { scheme: 'SCHEME-EC-AES2' }))).toThrow(/did not offer/);
  });

  it('detects a downgrade: the offer stripped to AES-128 on the way to the server', () => {
    const client = createClientSpec({ schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'], identifier: 'c' });
    const stripped: ClientKeyDerivationSpec = { ...client.spec, supported_schemes: ['SCHEME-EC-AES1'] };
    const server = answerClientSpec(stripped, { identifier: 's' });
    expect(() => finishAgreement(client.privateState, client.spec, server.info)).toThrow(/proof does not match/);
  });
});

describe('the proof', () => {
  const { client, server } = agree('SCHEME-EC-AES2');

  it('is refused when any byte of it changes', () => {
    for (let index = 0; index < 32; index += 1) {
      const info = withInfo(server.info, { proof: flipByteOf(server.info.proof, index) });
      expect(() => finishAgreement(client.privateState, client.spec, info), `byte ${index}`).toThrow(
        expect.objectContaining({ code: 'ERR_AGREEMENT', message: 'key-agreement proof does not match' }),
      );
    }
  });

  it('is refused when any byte of the server\'s public key changes', () => {
    for (let index = 1; index < 65; index += 1) {
      const info = withInfo(server.info, { public_key: flipByteOf(server.info.public_key, index) });
      // Either the point leaves the curve (malformed) or it is another key (proof mismatch).
      expect(() => finishAgreement(client.privateState, client.spec, info), `byte ${index}`).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_AGREEMENT(_MALFORMED)?$/) }),
      );
    }
  });

  it('binds the server identifier, the client reference and the client nonce', () => {
    const refuse = (spec: ClientKeyDerivationSpec, info: ServerKeyDerivationInfo) =>
      expect(() => finishAgreement(client.privateState, spec, info)).toThrow(/proof does not match/);
    refuse(client.spec, withInfo(server.info, { identifier: Buffer.from('Broker2').toString('base64') }));
    refuse(client.spec, withInfo(server.info, { client_reference_id: '00000000-0000-4000-8000-000000000000' }));
    refuse({ ...client.spec, nonce: flipByteOf(client.spec.nonce, 0) }, server.info);
  });

  it('refuses a private state that belongs to another spec', () => {
    const other = createClientSpec({ schemes: 'SCHEME-EC-AES2', identifier: 'c' });
    expect(() => finishAgreement(other.privateState, client.spec, server.info)).toThrow(/does not belong/);
  });

  it('refuses a private state made under another profile', () => {
    const x25519 = agree('SCHEME-EC-AES1', 'signet-v1-x25519');
    expect(() => finishAgreement(x25519.client.privateState, x25519.client.spec, x25519.server.info, { profile: AGREEMENT_PROFILES['signet-v1'] })).toThrow(/made under profile signet-v1-x25519/);
  });

  it('keeps the private state as bytes that survive a copy (for sealing in the keystore)', () => {
    const copy = Uint8Array.from(client.privateState);
    expect(finishAgreement(copy, JSON.parse(JSON.stringify(client.spec)), JSON.parse(JSON.stringify(server.info))).sharedKey.equals(server.sharedKey)).toBe(true);
  });
});

describe('sealed fields', () => {
  const { server } = agree('SCHEME-EC-AES1');
  const reference = server.info.client_reference_id;

  it('round-trips a sensitive field under the shared key', () => {
    const sealed = sealField(server.sharedKey, 'IBAN DE02 1203 0000 0000 2020 51', reference);
    expect(Buffer.from(sealed, 'base64')).toHaveLength(12 + 32 + 16);
    expect(openField(server.sharedKey, sealed, reference).toString('utf8')).toBe('IBAN DE02 1203 0000 0000 2020 51');
  });

  it('fails with the fixed message when any byte changes, or under another reference', () => {
    const sealed = sealField(server.sharedKey, 'secret', reference);
    const length = Buffer.from(sealed, 'base64').length;
    for (let index = 0; index < length; index += 1) {
      expect(() => openField(server.sharedKey, flipByteOf(sealed, index), reference)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPT_FAILED', message: 'decryption failed' }));
    }
    expect(() => openField(server.sharedKey, sealed, 'another-reference')).toThrow(/decryption failed/);
  });

  it('refuses an envelope that is not Base64 or too short', () => {
    expect(() => openField(server.sharedKey, 'not base64!', reference)).toThrow(expect.objectContaining({ code: 'ERR_AGREEMENT_MALFORMED' }));
    expect(() => openField(server.sharedKey, 'AAAA', reference)).toThrow(/at least 28 bytes/);
  });
});

describe('the worked example of docs/key-agreement.md §6', () => {
  // Everything below is recomputed from the document's formulas with node:crypto directly.
  const clientPrivate = createHash('sha256').update('signet-v1 test vector: client').digest();
  const serverPrivate = createHash('sha256').update('signet-v1 test vector: server').digest();
  const ecdhOf = (privateKey: Buffer) => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return ecdh;
  };
  const spec: ClientKeyDerivationSpec = {
    identifier: Buffer.from('client-7').toString('base64'),
    nonce: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex').toString('base64'),
    public_key: ecdhOf(clientPrivate).getPublicKey().toString('base64'),
    supported_schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'],
  };
  const serverPublic = ecdhOf(serverPrivate).getPublicKey();
  const lp = (value: Buffer | string) => {
    const bytes = Buffer.from(value);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const z = ecdhOf(serverPrivate).computeSecret(Buffer.from(spec.public_key, 'base64'));
  const transcriptHash = createHash('sha256')
    .update(Buffer.concat([
      lp('signet-v1'), lp('SCHEME-EC-AES1'), lp('SCHEME-EC-AES1,SCHEME-EC-AES2'), lp('client-7'),
      lp(Buffer.from(spec.nonce, 'base64')), lp(Buffer.from(spec.public_key, 'base64')), lp('Broker'), lp(serverPublic),
      lp('855ea6c5-720a-41e1-96f4-958c90e6e424'),
    ]))
    .digest();
  const salt = Buffer.concat([lp(Buffer.from(spec.nonce, 'base64')), lp('Broker')]);
  const kEnc = Buffer.from(hkdfSync('sha256', z, salt, Buffer.concat([Buffer.from('signet-v1|enc|SCHEME-EC-AES1'), transcriptHash]), 16));
  const kProof = Buffer.from(hkdfSync('sha256', z, salt, Buffer.concat([Buffer.from('signet-v1|proof|SCHEME-EC-AES1'), transcriptHash]), 32));
  const proof = createHmac('sha256', kProof).update(Buffer.concat([Buffer.from('signet-v1|server-proof'), transcriptHash])).digest('base64');
  const info: ServerKeyDerivationInfo = {
    client_reference_id: '855ea6c5-720a-41e1-96f4-958c90e6e424',
    identifier: Buffer.from('Broker').toString('base64'),
    proof,
    public_key: serverPublic.toString('base64'),
    scheme: 'SCHEME-EC-AES1',
  };
  const documentText = readFileSync(new URL('../../../docs/key-agreement.md', import.meta.url), 'utf8');

  it('prints the values the formulas give', () => {
    for (const value of [spec.public_key, info.public_key, info.proof, z.toString('hex'), transcriptHash.toString('hex'), kEnc.toString('hex')]) {
      expect(documentText).toContain(value);
    }
    expect(info.proof).toBe('nPjq5fEdPDHH+8gY/smzM2OlIZFt9OupkDKGoRLLgkc=');
  });

  it('is what Signet derives as the client', () => {
    const privateState = Buffer.from(JSON.stringify({
      v: 1, profile: 'signet-v1', group: 'P-256', privateKey: clientPrivate.toString('base64'), publicKey: spec.public_key,
    }));
    expect(finishAgreement(privateState, spec, info).sharedKey.toString('hex')).toBe(kEnc.toString('hex'));
  });
});
