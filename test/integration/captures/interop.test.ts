import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyCapture } from '../../../main/services/captures.ts';
import { exportKey } from '../../../main/services/key-export.ts';
import { generateKey, importKeys } from '../../../main/services/keys.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// JOSE objects made by an independent implementation (python3-jwcrypto, from Debian) inside a capture:
// its signatures verify and what it encrypts to our key decrypts.
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' }).status === 0;
if (!available && process.env.CI) throw new Error('python3-jwcrypto is required in CI (apt-get install -y python3-jwcrypto)');

const SCRIPT = String.raw`
import json, sys
from jwcrypto import jwk, jws, jwe
from jwcrypto.common import json_encode
recipient = jwk.JWK.from_json(sys.stdin.read())
signer = jwk.JWK.generate(kty='RSA', size=2048, kid='jwcrypto-signer')
token = jws.JWS(b'{"order":"from jwcrypto"}')
token.add_signature(signer, None, json_encode({'alg': 'PS256', 'kid': 'jwcrypto-signer'}))
encrypted = jwe.JWE(b'{"secret":"for signet"}', json_encode({'alg': 'RSA-OAEP-256', 'enc': 'A128CBC-HS256', 'kid': recipient.key_id}))
encrypted.add_recipient(recipient)
print(json.dumps({'public': json.loads(signer.export_public()), 'jws': token.serialize(compact=True), 'jwe': encrypted.serialize(compact=True)}))
`;

let store: TempStore;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => store.cleanup());

describe.runIf(available)('capture interop with python3-jwcrypto', () => {
  it('verifies a jwcrypto PS256 JWS and decrypts a jwcrypto JWE', async () => {
    const ours = await generateKey(store.session, { type: 'rsa', use: 'enc' });
    const publicJwk = Buffer.from((await exportKey(store.session, { ref: ours.id, part: 'public', format: 'jwk' })).contentBase64, 'base64').toString();
    const made = JSON.parse(execFileSync(PYTHON, ['-c', SCRIPT], { input: publicJwk, encoding: 'utf8' })) as { public: object; jws: string; jwe: string };
    await importKeys(store.session, { content: Buffer.from(JSON.stringify(made.public)), owner: 'partner' });
    const path = writeCapture(store.dir, 'interop.har', harText([{ method: 'POST', url: 'https://api.test/orders', body: made.jws, response: { body: made.jwe } }]));
    const report = await verifyCapture(store.session, { path });
    expect(report.findings.map((finding) => [finding.scheme, finding.verdict, finding.alg])).toEqual([
      ['jws', 'valid', 'PS256'],
      ['jwe', 'decrypted', 'RSA-OAEP-256'],
    ]);
  }, 60_000);
});
