import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSignetError, SignetError } from '../../main/core/errors.ts';
import { isFailing } from '../../main/core/inspect/findings.ts';
import { decryptCompact } from '../../main/core/jose/decrypt.ts';
import { verifyCompact } from '../../main/core/jose/verify.ts';
import { parseClientSpec } from '../../main/core/agreement/index.ts';
import { parseKeyFile } from '../../main/core/keys/formats.ts';
import { parseOpgHeader } from '../../main/core/opg/hmac.ts';
import { readCapture } from '../../main/core/traffic/index.ts';
import { verifyCapture } from '../../main/services/captures.ts';
import { importKeys } from '../../main/services/keys.ts';
import { decryptToken, verifyToken } from '../../main/services/workbench/jose.ts';
import { corpusFixture, publicJwkOf } from './builders.ts';
import { CORPUS, type CorpusCase, type CorpusInput } from './cases.ts';

// Every case of the corpus through the core parser and through the use case behind the CLI and console.

const corpus = corpusFixture();

/** 'ok', or the code of the SignetError thrown; anything else thrown fails the test. */
async function codeOf(work: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await work();
    return { code: 'ok', message: '' };
  } catch (error) {
    if (!isSignetError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

function expectNoSecret(text: string): void {
  for (const secret of corpus.keys.secrets) expect(text).not.toContain(secret.slice(0, 16));
}

async function core(input: CorpusInput): Promise<{ code: string; message: string; items?: string[] }> {
  switch (input.target) {
    case 'jws':
      return codeOf(() => verifyCompact(input.token, { key: { type: 'rsa' }, publicKey: corpus.keys.rsa.publicKey }));
    case 'jwe':
      return codeOf(() =>
        input.pbes2
          ? decryptCompact(input.token, { keyType: 'hmac', secret: corpus.keys.hmac.secret, allowPbes2: true })
          : decryptCompact(input.token, { keyType: 'ec', privateKey: corpus.keys.ecEnc.privateKey }),
      );
    case 'key-file':
      return codeOf(() => parseKeyFile(input.bytes));
    case 'capture': {
      const items: string[] = [];
      let reason = '';
      const outcome = await codeOf(async () => {
        for await (const item of readCapture(Readable.from(input.chunks()))) {
          items.push(item.kind);
          if (reason !== '') continue;
          if (item.kind === 'malformed') reason = item.entry.reason;
          else reason = item.exchange.unreadable?.[0]?.reason ?? '';
        }
      });
      return { ...outcome, message: outcome.message || reason, items };
    }
  }
}

async function writeCapture(input: Extract<CorpusInput, { target: 'capture' }>): Promise<string> {
  const path = join(corpus.store.dir, input.fileName);
  await pipeline(Readable.from(input.chunks()), createWriteStream(path));
  return path;
}

async function service(input: CorpusInput): Promise<string> {
  const outcome = async (work: () => Promise<string>) => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof SignetError)) throw error;
      expectNoSecret(error.message);
      return error.code;
    }
  };
  switch (input.target) {
    case 'jws':
      return outcome(async () => (await verifyToken(corpus.store.session, { token: input.token })).verdict);
    case 'jwe':
      return outcome(async () => (await decryptToken(corpus.store.session, { token: input.token })).verdict);
    case 'key-file':
      return outcome(async () => {
        const before = corpus.store.session.keys.count();
        await importKeys(corpus.store.session, { content: input.bytes });
        return corpus.store.session.keys.count() > before ? 'ok' : 'nothing stored';
      });
    case 'capture':
      return outcome(async () => {
        const report = await verifyCapture(corpus.store.session, { path: await writeCapture(input) });
        report.findings.forEach((finding) => expectNoSecret(finding.detail));
        return report.findings.some((finding) => isFailing(finding.verdict)) ? 'failing' : 'passing';
      });
  }
}

describe.each(CORPUS.map((entry): [string, CorpusCase] => [entry.id, entry]))('corpus %s', (_id, entry) => {
  let input: CorpusInput;
  beforeAll(async () => {
    input = await entry.build(corpus.ctx);
  });

  it(`core: ${entry.core}`, async () => {
    const result = await core(input);
    expect(result.code).toBe(entry.core);
    if (entry.message) expect(result.message).toMatch(entry.message);
    if (entry.items) expect(result.items).toEqual(entry.items);
    expectNoSecret(result.message);
    expect(result.message.length).toBeLessThan(600);
  }, 60_000);

  it(`service: ${entry.service}`, async () => {
    expect(await service(input)).toBe(entry.service);
  }, 60_000);
});

describe('what the corpus must never do', () => {
  it('fetched nothing from a jku or x5u URL', () => {
    expect(corpus.trap.requests()).toBe(0);
  });

  it('left the keystore intact after SQL-shaped kids (the keys table still holds every key)', () => {
    expect(corpus.store.session.keys.list().map((key) => key.kid)).toEqual(expect.arrayContaining([corpus.keys.rsa.kid, corpus.keys.ecEnc.kid, corpus.keys.hmac.kid]));
  });
});

describe('duplicate JSON members outside JOSE headers (documented: last one wins, as JSON.parse)', () => {
  it('reads the last kid of a JWK with two', async () => {
    const jwk = JSON.stringify(publicJwkOf(corpus.keys.attacker.ecPublic)).replace(/^\{/, '{"kid":"first","kid":"last",');
    const parsed = await parseKeyFile(Buffer.from(jwk));
    expect(parsed.keys[0]?.kid).toBe('last');
  });

  it('reads the last field of a key-agreement message with two', () => {
    const spec = { identifier: 'QnJva2Vy', nonce: 'DaY+kne1X2B6h8a4gLZu2w==', public_key: 'AA==', supported_schemes: ['SCHEME-EC-AES1'] };
    const text = JSON.stringify(spec).replace(/^\{/, '{"nonce":"AAAA",');
    // The first nonce (3 bytes) would be refused; the last (16 bytes) is the one checked.
    expect(() => parseClientSpec(text)).toThrow(expect.objectContaining({ message: expect.stringContaining('"public_key"') }));
  });
});

describe('base64 that is not, in the other parsers', () => {
  it('refuses an X-OPG-Signature whose signature is base64url, not standard Base64', () => {
    expect(() => parseOpgHeader('X-OPG-Signature APP:ab-_ab-_ab-_ab-_:n1:1780000000')).toThrow(expect.objectContaining({ code: 'ERR_HMAC_MALFORMED', message: expect.stringContaining('standard padded Base64') }));
  });

  it('refuses a key-agreement nonce in base64url', () => {
    const spec = { identifier: 'QnJva2Vy', nonce: 'DaY-kne1X2B6h8a4gLZu2w==', public_key: 'AA==', supported_schemes: ['SCHEME-EC-AES1'] };
    expect(() => parseClientSpec(spec)).toThrow(expect.objectContaining({ code: 'ERR_AGREEMENT_MALFORMED', message: expect.stringContaining('"nonce" must be standard padded Base64') }));
  });
});
