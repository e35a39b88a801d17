import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerClientSpec, createClientSpec, finishAgreement, parseClientSpec, parseServerInfo } from '../../main/core/agreement/index.ts';
import { parseOpgHeader, signOpg, verifyOpg } from '../../main/core/opg/hmac.ts';
import { budget, MARKER, mutatedText, outcome } from './support.ts';

// Key-agreement messages and X-OPG-Signature headers arrive in captures and pasted by hand.

let clientTexts: string[];
let serverTexts: string[];
let finish: { privateState: Buffer; spec: unknown; sharedKey: Buffer };

beforeAll(() => {
  const ec = createClientSpec({ schemes: ['SCHEME-EC-AES1', 'SCHEME-EC-AES2'], identifier: `merchant ${MARKER}`, nonce: randomBytes(16) });
  const dh = createClientSpec({ schemes: 'SCHEME-AES2', identifier: 'broker' });
  const answered = answerClientSpec(ec.spec, { identifier: 'server', clientReferenceId: '855ea6c5-720a-41e1-96f4-958c90e6e424' });
  const answeredDh = answerClientSpec(dh.spec, { identifier: 'server-dh' });
  clientTexts = [ec.spec, dh.spec].map((spec) => JSON.stringify(spec, null, 1));
  serverTexts = [answered.info, answeredDh.info].map((info) => JSON.stringify(info, null, 1));
  finish = { privateState: ec.privateState, spec: ec.spec, sharedKey: answered.sharedKey };
});

describe('key-agreement messages under mutation', () => {
  it('parses a mutated ClientKeyDerivationSpec or refuses it as ERR_AGREEMENT_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(clientTexts), async (text) => {
        const result = await outcome(() => parseClientSpec(text));
        if (!result.ok) expect(result.error.code).toBe('ERR_AGREEMENT_MALFORMED');
      }),
      budget(1000),
    );
  });

  it('parses a mutated ServerKeyDerivationInfo or refuses it as ERR_AGREEMENT_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(serverTexts), async (text) => {
        const result = await outcome(() => parseServerInfo(text));
        if (!result.ok) expect(result.error.code).toBe('ERR_AGREEMENT_MALFORMED');
      }),
      budget(1000),
    );
  });

  it('finishes an agreement from a mutated answer only with the key the server derived', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(serverTexts.slice(0, 1), 3), async (text) => {
        const result = await outcome(() => finishAgreement(finish.privateState, finish.spec, text));
        if (result.ok) expect(result.value.sharedKey.equals(finish.sharedKey)).toBe(true);
        else expect(['ERR_AGREEMENT_MALFORMED', 'ERR_AGREEMENT']).toContain(result.error.code);
      }),
      budget(600),
    );
  });

  it('refuses arbitrary JSON values with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        for (const parse of [parseClientSpec, parseServerInfo]) {
          const result = await outcome(() => parse(value));
          if (!result.ok) expect(result.error.code).toBe('ERR_AGREEMENT_MALFORMED');
        }
      }),
      budget(500),
    );
  });
});

describe('X-OPG-Signature headers under mutation', () => {
  const secret = Buffer.from(MARKER);
  const request = { method: 'POST', uri: '/opg/surveys?id=7', body: Buffer.from(`{"answer":"${MARKER}"}`) };
  const signed = signOpg({ profile: 'opg-sha256', appId: 'OPG-APP-1', secret, ...request, timestamp: 1780000000, nonce: 'n0nce-1' });
  const headers = [signed.header, `Authorization: ${signed.header}`];

  it('parses a mutated header or refuses it as ERR_HMAC_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(headers), async (text) => {
        const result = await outcome(() => parseOpgHeader(text));
        if (!result.ok) expect(result.error.code).toBe('ERR_HMAC_MALFORMED');
      }),
      budget(2000),
    );
  });

  it('accepts a mutated header only when it still names the signed AppId, nonce and timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(headers, 3), async (text) => {
        const parsed = await outcome(() => parseOpgHeader(text));
        if (!parsed.ok) return;
        const verification = verifyOpg({ profile: 'opg-sha256', parsed: parsed.value, secret, ...request });
        if (verification.signatureValid) {
          expect([parsed.value.appId, parsed.value.nonce, parsed.value.timestampText]).toEqual(['OPG-APP-1', 'n0nce-1', '1780000000']);
          expect(parsed.value.signature).toBe(signed.signature);
        }
      }),
      budget(2000),
    );
  });
});
