import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeyFile } from '../../../main/core/keys/formats.ts';
import { certificateRequest, exportKey, selfSign } from '../../../main/services/key-export.ts';
import { resolveKey } from '../../../main/services/key-records.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';

let store: TempStore;
const clock = manualClock('2026-03-01T10:00:00Z');
beforeEach(async () => {
  store = await tempStore({ clock });
});
afterEach(() => store.cleanup());

const usagesOf = (der: Buffer | null | undefined) => (der ? new x509.X509Certificate(der).getExtension(x509.KeyUsagesExtension)?.usages : undefined);
const fromArtifact = (artifact: { contentBase64: string }) => Buffer.from(artifact.contentBase64, 'base64');

describe('certificates of an EC key made for encryption (ECDH)', () => {
  it('say keyAgreement however they are made: generated with the key, self-signed later, requested, or carried in a PKCS#12', async () => {
    const key = await generateKey(store.session, { type: 'ec', use: 'enc', certificate: { subject: 'CN=ecdh' } });
    expect(usagesOf(resolveKey(store.session, key.id).certificateDer)).toBe(x509.KeyUsageFlags.keyAgreement);

    await selfSign(store.session, { ref: key.id, subject: 'CN=ecdh again' });
    expect(usagesOf(resolveKey(store.session, key.id).certificateDer)).toBe(x509.KeyUsageFlags.keyAgreement);

    const request = new x509.Pkcs10CertificateRequest(fromArtifact(await certificateRequest(store.session, { ref: key.id, subject: 'CN=ecdh' })));
    const asked = request.getExtension('2.5.29.15');
    expect(asked instanceof x509.KeyUsagesExtension && asked.usages).toBe(x509.KeyUsageFlags.keyAgreement);

    const bare = await generateKey(store.session, { type: 'ec', use: 'enc' });
    const pkcs12 = await exportKey(store.session, { ref: bare.id, part: 'private', format: 'p12', password: 'export password 1' });
    const [carried] = (await parseKeyFile(fromArtifact(pkcs12), { password: 'export password 1' })).keys;
    expect(usagesOf(carried?.certificates[0])).toBe(x509.KeyUsageFlags.keyAgreement);
  });

  it('is refused for an X25519 key, which cannot sign one', async () => {
    await expect(generateKey(store.session, { type: 'x25519', certificate: { subject: 'CN=x' } })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('cannot sign its own certificate') });
    const key = await generateKey(store.session, { type: 'x25519' });
    await expect(selfSign(store.session, { ref: key.id, subject: 'CN=x' })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE' });
  });
});
