// The public API of core/keys: generation, description, import, export, certificates, thumbprints.
export { describeKeyObject } from './describe.ts';
export { generateAsymmetric, generateSecret } from './generate.ts';
export { parseKeyFile } from './formats.ts';
export { certificateToPem, exportJwks, exportPrivateKey, exportPublicKey, exportSecretJwk, type JwkMeta, type PublicFormat } from './export.ts';
export { exportPkcs12, parsePkcs12, type Pkcs12ExportInput } from './pkcs12.ts';
export { exportEncryptedPrivateKey } from './pbes2.ts';
export {
  certificateMatchesKey,
  certificatePublicKey,
  createCsr,
  csrToPem,
  describeCertificate,
  selfSignCertificate,
  type CertificateRequestInput,
  type CertificateUsage,
  type SelfSignInput,
} from './certificates.ts';
export { jwkThumbprint } from './thumbprint.ts';
export { toPem } from './pem.ts';
export * from './lifecycle.ts';
export * from './types.ts';
