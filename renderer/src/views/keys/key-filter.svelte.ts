import type { KeyStatus, KeyType, KeyUse, KeyView } from '../../../../main/services/views.ts';

export type StatusFilter = '' | KeyStatus | 'expiring';
export type HolderFilter = '' | 'private' | 'trust';

/** The keys table's filters. Filtering runs here, on the list already loaded, so it is instant. */
export class KeyFilter {
  search = $state('');
  owner = $state('');
  type = $state<'' | KeyType>('');
  status = $state<StatusFilter>('');
  use = $state<'' | KeyUse>('');
  holder = $state<HolderFilter>('');

  get active(): boolean {
    return this.search.trim() !== '' || this.owner !== '' || this.type !== '' || this.status !== '' || this.use !== '' || this.holder !== '';
  }

  clear(): void {
    this.search = '';
    this.owner = '';
    this.type = '';
    this.status = '';
    this.use = '';
    this.holder = '';
  }

  matches(key: KeyView): boolean {
    if (this.owner && key.owner !== this.owner) return false;
    if (this.type && key.type !== this.type) return false;
    if (this.use && key.use !== this.use) return false;
    if (this.holder === 'private' && !key.hasPrivate) return false;
    if (this.holder === 'trust' && key.hasPrivate) return false;
    if (this.status === 'expiring' ? !key.expiringSoon : this.status && key.status !== this.status) return false;
    const needle = this.search.trim().toLowerCase();
    if (!needle) return true;
    const haystack = [key.name, key.kid, key.id, key.owner, key.environment, key.appId, key.thumbprint, key.alg, key.certificate?.subject];
    return haystack.some((text) => text?.toLowerCase().includes(needle));
  }
}
