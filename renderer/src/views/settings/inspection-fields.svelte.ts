import type { Settings } from '../../../../main/services/settings.ts';
import { joinList, splitList } from '../../lib/lists.ts';

type Inspection = Settings['inspection'];
type ListName = 'jwtIssuers' | 'jwtAudiences' | 'hmacCallbackPaths' | 'apiKeyHeaders' | 'signatureHeaders' | 'signedRequestHosts' | 'signedResponseHosts' | 'apiKeyHosts';

/** The inspection settings as a form edits them: numbers as numbers, lists as one entry per line. */
export class InspectionFields {
  clockToleranceSec = $state(60);
  hmacProfile = $state<Inspection['hmacProfile']>('opg-sha256');
  hmacWindowSec = $state(300);
  lists = $state<Record<ListName, string>>({
    jwtIssuers: '',
    jwtAudiences: '',
    hmacCallbackPaths: '',
    apiKeyHeaders: '',
    signatureHeaders: '',
    signedRequestHosts: '',
    signedResponseHosts: '',
    apiKeyHosts: '',
  });

  constructor(inspection: Inspection) {
    this.load(inspection);
  }

  load(inspection: Inspection): void {
    this.clockToleranceSec = inspection.clockToleranceSec;
    this.hmacProfile = inspection.hmacProfile;
    this.hmacWindowSec = inspection.hmacWindowSec;
    for (const name of Object.keys(this.lists) as ListName[]) this.lists[name] = joinList(inspection[name]);
  }

  values(): Inspection {
    const lists = Object.fromEntries(Object.entries(this.lists).map(([name, text]) => [name, splitList(text)])) as Record<ListName, string[]>;
    return { clockToleranceSec: Number(this.clockToleranceSec), hmacProfile: this.hmacProfile, hmacWindowSec: Number(this.hmacWindowSec), ...lists };
  }
}
