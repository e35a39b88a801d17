import type { Input } from '../../../../../main/api/contract.ts';
import type { SchemeName, Verdict } from '../../../../../main/services/views.ts';

export type ExchangeQuery = Omit<Input<'captures.exchanges'>, 'offset' | 'limit'>;

/** The exchange list's filters and sort; they run in SQLite, so every change asks for a fresh page. */
export class ExchangeFilter {
  verdict = $state<'' | Verdict>('');
  scheme = $state<'' | SchemeName>('');
  host = $state('');
  /** What is typed in the host field; it becomes `host` on Enter or blur. */
  hostDraft = $state('');
  method = $state('');
  sort = $state<'index' | 'severity'>('index');

  get active(): boolean {
    return this.verdict !== '' || this.scheme !== '' || this.host.trim() !== '' || this.method !== '';
  }

  clear(): void {
    this.verdict = '';
    this.scheme = '';
    this.host = '';
    this.hostDraft = '';
    this.method = '';
  }

  /** What narrows the list; the sort only reorders it. */
  criteria(captureId: string): Omit<ExchangeQuery, 'sort'> {
    const host = this.host.trim().toLowerCase();
    return {
      id: captureId,
      ...(this.verdict && { verdict: this.verdict }),
      ...(this.scheme && { scheme: this.scheme }),
      ...(host && { host }),
      ...(this.method && { method: this.method }),
    };
  }

  query(captureId: string): ExchangeQuery {
    return { ...this.criteria(captureId), sort: this.sort };
  }
}
