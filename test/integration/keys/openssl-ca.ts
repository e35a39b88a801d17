import { Workspace } from '../../unit/keys/helpers.ts';

/** openssl ca takes validity as YYYYMMDDHHMMSSZ. */
const opensslTime = (iso: string): string => iso.replace(/[-:T]/g, '').replace(/\.\d+/, '');

/**
 * A certificate authority run by openssl in a temp folder: an issuer independent of Signet, signing
 * the requests Signet makes with the validity a test chooses (openssl ca -startdate/-enddate).
 */
export class OpensslCa {
  readonly workspace = new Workspace();
  private issued = 0;

  constructor() {
    this.workspace.write('ca.cnf', [
      '[ca]', 'default_ca = test', '[test]', 'dir = .', 'database = ./index.txt', 'serial = ./serial', 'new_certs_dir = .', 'default_md = sha256',
      'policy = names', 'unique_subject = no', 'copy_extensions = copy', '[names]', 'commonName = supplied', 'organizationName = optional', '',
    ].join('\n'));
    this.workspace.write('index.txt', '');
    this.workspace.write('serial', '1000\n');
    this.workspace.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Test CA', '-days', '30',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }

  /** The CA's own certificate, PEM. */
  get certificatePem(): Buffer {
    return this.workspace.read('ca.crt');
  }

  /** Issues a certificate for a PEM request; PEM, or DER with `der`. */
  issue(csrPem: Uint8Array, validity: { from: string; to: string }, options: { der?: boolean } = {}): Buffer {
    const name = `issued-${++this.issued}`;
    this.workspace.write(`${name}.csr`, csrPem);
    this.workspace.opensslReport(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`,
      '-startdate', opensslTime(validity.from), '-enddate', opensslTime(validity.to)]);
    if (!options.der) return this.workspace.read(`${name}.crt`);
    this.workspace.openssl(['x509', '-in', `${name}.crt`, '-outform', 'DER', '-out', `${name}.der`]);
    return this.workspace.read(`${name}.der`);
  }

  /** A certificate for a key openssl makes (a partner's), with that key's private half, both PEM. */
  issueForNewKey(subject: string, validity: { from: string; to: string }): { certificate: Buffer; privateKey: Buffer } {
    const name = `partner-${++this.issued}`;
    this.workspace.openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    return { certificate: this.issue(this.workspace.read(`${name}.csr`), validity), privateKey: this.workspace.read(`${name}.key`) };
  }

  cleanup(): void {
    this.workspace.cleanup();
  }
}
