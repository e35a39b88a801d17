// Kept free of Node types: the renderer shows certificates too and imports this type.
/** Details of an X.509 certificate, as shown to users and in `--json` output (ISO times). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 fingerprint of the DER, colon-separated upper-case hex as openssl prints it. */
  sha256: string;
  selfSigned: boolean;
  subjectAltNames: string[];
}
