import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GROUPS, parseClientSpec, parseServerInfo } from '../../../main/core/agreement/index.ts';

const ecdh = createECDH('prime256v1');
ecdh.generateKeys();
const p256Key = ecdh.getPublicKey().toString('base64');
const dhKey = GROUPS.ffdhe3072.generate().publicKey.toString('base64');

// Shaped like the partner's example (spec 002), with a real public key in place of "<public key>".
const clientSpec = {
  identifier: 'V2luZG93c0xPQ0FUSU9OSUQ6NTIyNTI0NTM0NTM0NjM0MzQ2MzYzNDYzNjc1MzI0NjUyMzY3NDUyNzY1NDIzNjc1NDY3MjM1NDI0Mw==',
  nonce: 'DaY+kne1X2B6h8a4gLZu2w==',
  public_key: dhKey,
  supported_schemes: ['SCHEME-AES2'],
};
const serverInfo = {
  client_reference_id: '855ea6c5-720a-41e1-96f4-958c90e6e424',
  identifier: 'QnJva2Vy',
  proof: 'qck2eXsbiOpFJMGKEBzyPTidLwwCzsG8PgvyncQpeZU=',
  public_key: dhKey,
  scheme: 'SCHEME-AES2',
};

const malformed = (reason: RegExp) => expect.objectContaining({ code: 'ERR_AGREEMENT_MALFORMED', message: expect.stringMatching(reason) });

describe('parseClientSpec', () => {
  it('reads the partner\'s example shape, decoding the binary fields', () => {
    const parsed = parseClientSpec(JSON.stringify(clientSpec));
    expect(parsed.identifier.toString('utf8')).toMatch(/^WindowsLOCATIONID:/);
    expect(parsed.nonce).toHaveLength(16);
    expect(parsed.schemes).toEqual(['SCHEME-AES2']);
    expect(parsed.group).toBe('ffdhe3072');
  });

  it('accepts both EC schemes with one P-256 key', () => {
    const parsed = parseClientSpec({ ...clientSpec, public_key: p256Key, supported_schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'] });
    expect(parsed.group).toBe('P-256');
  });

  it.each([
    ['text that is not JSON', '{"identifier":', /not JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['a missing nonce', { ...clientSpec, nonce: undefined }, /"nonce" is missing/],
    ['a nonce that is not Base64', { ...clientSpec, nonce: 'DaY-kne1X2B6h8a4gLZu2w==' }, /"nonce" must be standard padded Base64/],
    ['a non-canonical Base64 nonce', { ...clientSpec, nonce: 'DaY+kne1X2B6h8a4gLZu2x==' }, /"nonce" must be standard padded Base64/],
    ['a nonce under 16 bytes', { ...clientSpec, nonce: 'AAAA' }, /"nonce" must decode to 16 to 256 bytes; it has 3/],
    ['an empty scheme list', { ...clientSpec, supported_schemes: [] }, /non-empty array/],
    ['an unknown scheme', { ...clientSpec, supported_schemes: ['SCHEME-RC4'] }, /unknown scheme "SCHEME-RC4"/],
    ['the underscore spelling', { ...clientSpec, supported_schemes: ['SCHEME_AES2'] }, /did you mean SCHEME-AES2\?/],
    ['a scheme listed twice', { ...clientSpec, supported_schemes: ['SCHEME-AES2', 'SCHEME-AES2'] }, /twice/],
    ['schemes from different groups', { ...clientSpec, supported_schemes: ['SCHEME-AES2', 'SCHEME-EC-AES2'] }, /different groups/],
    ['a key of the wrong group', { ...clientSpec, public_key: p256Key }, /"public_key": a ffdhe3072 public key is 384 bytes/],
    ['an off-curve P-256 key', { ...clientSpec, supported_schemes: ['SCHEME-EC-AES1'], public_key: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64') }, /not a point on the curve/],
  ])('refuses %s with a clear reason', (_name, input, reason) => {
    expect(() => parseClientSpec(input)).toThrow(malformed(reason));
  });
});

describe('parseServerInfo', () => {
  it('reads the partner\'s example shape', () => {
    const parsed = parseServerInfo(serverInfo);
    expect(parsed.identifier.toString('utf8')).toBe('Broker');
    expect(parsed.proof).toHaveLength(32);
    expect(parsed.scheme).toBe('SCHEME-AES2');
  });

  it.each([
    ['a missing client_reference_id', { ...serverInfo, client_reference_id: undefined }, /client_reference_id/],
    ['control characters in client_reference_id', { ...serverInfo, client_reference_id: 'a\nb' }, /control characters/],
    ['a proof that is not 32 bytes', { ...serverInfo, proof: 'AAAA' }, /"proof" must decode to 32 bytes/],
    ['a public key not fitting the chosen scheme', { ...serverInfo, scheme: 'SCHEME-AES1' }, /modp14 public key is 256 bytes/],
    ['an unknown scheme', { ...serverInfo, scheme: 'SCHEME-EC-AES3' }, /unknown scheme/],
    ['a missing scheme', { ...serverInfo, scheme: undefined }, /^key agreement: "scheme" is missing$/],
  ])('refuses %s with a clear reason', (_name, input, reason) => {
    expect(() => parseServerInfo(input)).toThrow(malformed(reason));
  });

  it('refuses a scheme the client did not offer before judging the key against that scheme\'s group', () => {
    expect(() => parseServerInfo({ ...serverInfo, public_key: p256Key }, { offered: ['SCHEME-EC-AES1'] })).toThrow(
      expect.objectContaining({ code: 'ERR_AGREEMENT', message: 'the server chose SCHEME-AES2, which the client did not offer (SCHEME-EC-AES1)' }),
    );
  });
});
