import type { Input } from '../../../../../main/api/contract.ts';
import type { AgreementView } from '../../../../../main/services/views.ts';
import { call } from '../../../lib/api.ts';

export type ProfileId = NonNullable<Input<'agree.client'>['profile']>;

/** The derivation profiles (docs/key-agreement.md §7): they differ in the curve of the EC schemes. */
export const PROFILES: { id: ProfileId; label: string; ecCurve: string }[] = [
  { id: 'signet-v1', label: 'signet-v1 (EC schemes on P-256)', ecCurve: 'P-256' },
  { id: 'signet-v1-x25519', label: 'signet-v1-x25519 (EC schemes on X25519)', ecCurve: 'X25519' },
];

/**
 * One key agreement walked through by hand (partner spec 002): the client's spec, the server's
 * answer, the client's finish. Either side may be a partner: paste theirs instead of making it here.
 */
export class AgreementFlow {
  /** The client agreement started here, waiting for the server's answer. */
  clientRef = $state('');
  clientSpec = $state('');
  serverInfo = $state('');
  agreements = $state.raw<AgreementView[]>([]);

  async refresh(): Promise<void> {
    this.agreements = await call('agree.list', {});
  }

  /**
   * Live agreements that have a key, one per reference: a console playing both sides holds the same
   * reference as client and as server, with the same derived key.
   */
  get agreed(): { ref: string; scheme: string | null; roles: string }[] {
    const live = this.agreements.filter((agreement) => agreement.agreed && new Date(agreement.expiresAt).getTime() > Date.now());
    const refs = [...new Set(live.map((agreement) => agreement.ref))];
    return refs.map((ref) => {
      const sides = live.filter((agreement) => agreement.ref === ref);
      return { ref, scheme: sides[0]?.scheme ?? null, roles: sides.map((side) => side.role).join(' + ') };
    });
  }
}
