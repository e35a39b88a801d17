import { textToBase64 } from '../../lib/files.ts';

export type KeySourceMode = 'auto' | 'stored' | 'pasted';

/** Which key a tool uses: found by the token's kid, chosen from the keystore, or a pasted public key. */
export class KeySource {
  mode = $state<KeySourceMode>('auto');
  keyId = $state('');
  pasted = $state('');

  constructor(mode: KeySourceMode) {
    this.mode = mode;
  }

  problem(): string {
    if (this.mode === 'stored' && !this.keyId) return 'Choose a key from the keystore.';
    if (this.mode === 'pasted' && !this.pasted.trim()) return 'Paste a public key (PEM, JWK or certificate).';
    return '';
  }

  /** The contract's way of naming the key: `key` (id) or `publicKeyBase64`, or nothing for "by kid". */
  input(): { key?: string; publicKeyBase64?: string } {
    if (this.mode === 'stored') return { key: this.keyId };
    if (this.mode === 'pasted') return { publicKeyBase64: textToBase64(this.pasted.trim()) };
    return {};
  }
}
