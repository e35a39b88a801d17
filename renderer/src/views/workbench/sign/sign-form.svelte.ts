import type { Input } from '../../../../../main/api/contract.ts';
import type { KeyView } from '../../../../../main/services/views.ts';
import { algorithmChoices } from '../../../lib/algorithms.ts';
import { textToBase64 } from '../../../lib/files.ts';

/** compact: JWS compact; detached: RFC 7515 App. F; unencoded: RFC 7797 b64=false, detached; jwt: claims. */
export type SignMode = 'compact' | 'detached' | 'unencoded' | 'jwt';

/** What the sign tool sends to `jose.sign`, checked before it goes. */
export class SignForm {
  keyId = $state('');
  alg = $state('');
  mode = $state<SignMode>('compact');
  payload = $state('{\n  "order": 42,\n  "amount": "19.99"\n}');
  claims = $state('{\n  "sub": "merchant-42"\n}');
  exp = $state('15m');
  iss = $state('');
  aud = $state('');
  typ = $state('');

  /** The algorithms the key allows, its default first (the service checks again). */
  algs(key: KeyView | undefined): string[] {
    return key ? algorithmChoices(key.type, key.curve, 'sig') : [];
  }

  problem(key: KeyView | undefined): string {
    if (!key) return 'Choose a signing key.';
    if (this.mode === 'jwt') {
      try {
        const parsed: unknown = JSON.parse(this.claims || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'The claims must be a JSON object.';
      } catch {
        return 'The claims are not valid JSON.';
      }
    }
    return '';
  }

  input(key: KeyView): Input<'jose.sign'> {
    const alg = this.algs(key).includes(this.alg) ? this.alg : undefined;
    const common = { key: key.id, ...(alg && { alg }), ...(this.typ.trim() && { typ: this.typ.trim() }) };
    if (this.mode === 'jwt') {
      const aud = this.aud
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return {
        ...common,
        jwt: {
          claims: JSON.parse(this.claims || '{}') as Record<string, unknown>,
          ...(this.exp.trim() && { exp: this.exp.trim() }),
          ...(this.iss.trim() && { iss: this.iss.trim() }),
          ...(aud.length > 0 && { aud: aud.length === 1 ? (aud[0] ?? '') : aud }),
        },
      };
    }
    return {
      ...common,
      payloadBase64: textToBase64(this.payload),
      ...(this.mode !== 'compact' && { detached: true }),
      ...(this.mode === 'unencoded' && { b64: false }),
    };
  }
}
