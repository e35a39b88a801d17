import type { Input } from '../../../../../main/api/contract.ts';
import type { KeyUse } from '../../../../../main/services/views.ts';
import { fileToBase64, textToBase64 } from '../../../lib/files.ts';
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

/** How the secret is written: the service decodes it, with the same rules as the CLI's --encoding. */
type SecretEncoding = NonNullable<Input<'keys.importSecret'>['encoding']>;

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
    return this.secret ? '' : 'Paste the secret.';
  }

  input(): Input<'keys.importSecret'> {
    return {
      appId: this.appId.trim(),
      secretText: this.secret,
      encoding: this.encoding,
      ...this.labels.values(),
      ...(this.expires.trim() && { expires: this.expires.trim() }),
      ...(this.alg && { alg: this.alg }),
    };
  }
}
