import type { Input } from '../../../../../main/api/contract.ts';
import type { Curve, KeyType, KeyUse } from '../../../../../main/services/views.ts';
import { algorithmChoices, usesFor } from '../../../lib/algorithms.ts';
import { splitList } from '../../../lib/lists.ts';

// Form models of the key dialogs: plain classes with rune fields, so field components can bind to
// them and the dialog reads one consistent input out of them.

export class LabelFields {
  name = $state('');
  owner = $state('');
  environment = $state('');

  values(): { name?: string; owner?: string; environment?: string } {
    return {
      ...(this.name.trim() && { name: this.name.trim() }),
      ...(this.owner.trim() && { owner: this.owner.trim() }),
      ...(this.environment.trim() && { environment: this.environment.trim() }),
    };
  }
}

export type CertificateUsage = 'client' | 'server' | 'signing';

export class CertificateFields {
  subject = $state('');
  sans = $state('');
  usage = $state<'' | CertificateUsage>('');

  constructor(subject = '') {
    this.subject = subject;
  }

  problem(): string {
    return this.subject.trim().length < 3 ? 'Enter a subject such as CN=client.example.com,O=Example.' : '';
  }

  values(): { subject: string; sans?: string[]; usage?: CertificateUsage } {
    const sans = splitList(this.sans);
    return { subject: this.subject.trim(), ...(sans.length > 0 && { sans }), ...(this.usage && { usage: this.usage }) };
  }
}

export class GenerateForm {
  type = $state<KeyType>('rsa');
  bits = $state(2048);
  curve = $state<Curve>('P-256');
  secretBits = $state(256);
  appId = $state('');
  use = $state<KeyUse>('sig');
  /** '' picks the default for the key (the first of `algs`). */
  alg = $state('');
  expires = $state('');
  pending = $state(false);
  withCertificate = $state(false);
  readonly labels = new LabelFields();
  readonly certificate = new CertificateFields();

  get uses(): KeyUse[] {
    return usesFor(this.type);
  }

  get effectiveUse(): KeyUse {
    return this.uses.includes(this.use) ? this.use : (this.uses[0] ?? 'sig');
  }

  get algs(): string[] {
    return algorithmChoices(this.type, this.type === 'ec' ? this.curve : null, this.effectiveUse);
  }

  /** RSA-4096 takes seconds (finding two 2048-bit primes): the dialog shows progress and a Cancel. */
  get slow(): boolean {
    return this.type === 'rsa' && this.bits >= 4096;
  }

  get canCertify(): boolean {
    return this.type !== 'hmac' && this.type !== 'x25519';
  }

  problem(): string {
    if (this.type === 'hmac' && !this.appId.trim()) return 'An HMAC secret needs the AppId it belongs to.';
    if (this.withCertificate && this.canCertify) return this.certificate.problem();
    return '';
  }

  input(): Input<'keys.generate'> {
    const alg = this.algs.includes(this.alg) ? this.alg : undefined;
    const certificate = this.withCertificate && this.canCertify ? this.certificate.values() : undefined;
    return {
      type: this.type,
      ...(this.type === 'rsa' && { bits: this.bits }),
      ...(this.type === 'hmac' && { bits: this.secretBits, appId: this.appId.trim() }),
      ...(this.type === 'ec' && { curve: this.curve }),
      ...this.labels.values(),
      use: this.effectiveUse,
      ...(alg && { alg }),
      ...(this.expires.trim() && { expires: this.expires.trim() }),
      ...(this.pending && { pending: true }),
      ...(certificate && { certificate: { subject: certificate.subject, ...(certificate.sans && { sans: certificate.sans }) } }),
    };
  }
}
