import type { KeyView } from '../../../../main/services/views.ts';

/** What the keys view may open: one dialog at a time, each for one key where it acts on one. */
export type KeyAction = 'export' | 'renew' | 'revoke' | 'activate' | 'delete' | 'selfSign' | 'csr';

export type OpenDialog =
  | { kind: 'generate' }
  | { kind: 'import'; file?: File; path?: string }
  | { kind: Exclude<KeyAction, 'activate'>; key: KeyView };
