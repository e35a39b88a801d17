import type { Input } from '../../../../../main/api/contract.ts';
import type { KeyUse } from '../../../../../main/services/views.ts';
import { bytesToBase64, fileToBase64, textToBase64 } from '../../../lib/files.ts';
import { LabelFields } from './forms.svelte.ts';

/**
 * A key file picked, dropped or pasted (PEM, DER, JWK, JWKS, PKCS#12: the service detects which), or
 * named by path (the desktop app's File › Import key…: the service reads it, no bytes cross IPC).
 */
export class ImportKeyForm {
  file = $state.raw<File | null>(null);
  path = $state<string | null>(null);
  pasted = $state('');
  password = $state('');
  expires = $state('');
  use = $state<'' | KeyUse>('');
  readonly labels = new LabelFields();

  constructor(source: { file?: File | undefined; path?: string | undefined } = {}) {
    this.file = source.file ?? null;
    this.path = source.path ?? null;
  }

  /** PKCS#12 files nearly always carry a password; say so before the user submits. */
  get looksLikePkcs12(): boolean {
    return /\.(p12|pfx)$/i.test(this.file?.name ?? this.path ?? '');
  }

  problem(): string {
    return this.file || this.path || this.pasted.trim() ? '' : 'Choose a file, drop one here, or paste a key.';
  }

  async input(): Promise<Input<'keys.import'>> {
    const source = this.path ? { path: this.path } : { contentBase64: this.file ? await fileToBase64(this.file) : textToBase64(this.pasted.trim()) };
    return {
      ...source,
      ...(this.password && { password: this.password }),
      ...this.labels.values(),
      ...(this.expires.trim() && { expires: this.expires.trim() }),
      ...(this.use && { use: this.use }),
    };
  }
}

export type SecretEncoding = 'text' | 'base64' | 'hex';

/** An HMAC secret a partner issued with its AppId (OnePoint), as text, base64 or hex. */
export class ImportSecretForm {
  appId = $state('');
  secret = $state('');
  encoding = $state<SecretEncoding>('text');
  expires = $state('');
  alg = $state('');
  readonly labels = new LabelFields();

  problem(): string {
    if (!this.appId.trim()) return 'Enter the AppId the secret belongs to.';
    if (!this.secret) return 'Paste the secret.';
    if (this.encoding === 'hex' && !/^([0-9a-f]{2})+$/i.test(this.secret.replace(/\s+/g, ''))) return 'The secret is not hex (pairs of 0-9, a-f).';
    if (this.encoding === 'base64' && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(this.secret.replace(/\s+/g, ''))) return 'The secret is not base64.';
    return '';
  }

  private secretBase64(): string {
    const compact = this.secret.replace(/\s+/g, '');
    if (this.encoding === 'text') return textToBase64(this.secret);
    if (this.encoding === 'base64') return compact.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = new Uint8Array(compact.length / 2);
    for (let index = 0; index < bytes.length; index++) bytes[index] = parseInt(compact.slice(index * 2, index * 2 + 2), 16);
    return bytesToBase64(bytes);
  }

  input(): Input<'keys.importSecret'> {
    return {
      appId: this.appId.trim(),
      secretBase64: this.secretBase64(),
      ...this.labels.values(),
      ...(this.expires.trim() && { expires: this.expires.trim() }),
      ...(this.alg && { alg: this.alg }),
    };
  }
}
