import type { AgreementView } from '../../../../../main/services/views.ts';
import { call } from '../../../lib/api.ts';

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
