import type { ExchangeRowView } from '../../../../../main/services/views.ts';
import { call, messageOf } from '../../../lib/api.ts';
import type { ExchangeQuery } from './exchange-filter.svelte.ts';

const PAGE_SIZE = 200;
/** Pages kept in memory: enough for fast back-and-forth scrolling, bounded for a million rows. */
const KEEP_PAGES = 30;

/**
 * The rows of one filtered, sorted exchange list, fetched a page at a time as the list scrolls to
 * them. Never all rows: a capture may hold a million. Pages far from where the user looks are
 * dropped and fetched again if they come back into view.
 */
export class ExchangePages {
  total = $state(0);
  /** The first answer for the current query has arrived (until then, the count is unknown). */
  ready = $state(false);
  error = $state('');
  /** Bumped when a page arrives, so rows read through `row()` refresh. */
  #arrivals = $state(0);
  #pages = new Map<number, ExchangeRowView[]>();
  #pending = new Map<number, Promise<void>>();
  #query: ExchangeQuery | null = null;
  #generation = 0;
  #lastWanted = 0;

  /** Starts over for a new capture, filter or sort. */
  reset(query: ExchangeQuery): void {
    this.#generation++;
    this.#query = query;
    this.#pages.clear();
    this.#pending.clear();
    this.total = 0;
    this.ready = false;
    this.error = '';
    this.#arrivals++;
    void this.#load(0);
  }

  /** The row at `position` in the list, when its page is in. */
  row(position: number): ExchangeRowView | undefined {
    void this.#arrivals;
    return this.#pages.get(Math.floor(position / PAGE_SIZE))?.[position % PAGE_SIZE];
  }

  /** Fetches the pages covering positions `first`..`last` that are not in yet. */
  want(first: number, last: number): void {
    if (last < first) return;
    this.#lastWanted = Math.floor(first / PAGE_SIZE);
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) void this.#load(page);
  }

  /** The row at `position`, fetching its page first if needed. */
  async rowAt(position: number): Promise<ExchangeRowView | undefined> {
    await this.#load(Math.floor(position / PAGE_SIZE));
    return this.row(position);
  }

  #load(page: number): Promise<void> {
    if (this.#pages.has(page) || !this.#query) return Promise.resolve();
    const pending = this.#pending.get(page);
    if (pending) return pending;
    const generation = this.#generation;
    const request = call('captures.exchanges', { ...this.#query, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
      .then((result) => {
        if (generation !== this.#generation) return;
        this.#pages.set(page, result.rows);
        this.total = result.total;
        this.ready = true;
        this.error = '';
        this.#evict();
        this.#arrivals++;
      })
      .catch((error: unknown) => {
        if (generation === this.#generation) this.error = messageOf(error);
      })
      .finally(() => {
        if (generation === this.#generation) this.#pending.delete(page);
      });
    this.#pending.set(page, request);
    return request;
  }

  #evict(): void {
    if (this.#pages.size <= KEEP_PAGES) return;
    const byDistance = [...this.#pages.keys()].sort((a, b) => Math.abs(b - this.#lastWanted) - Math.abs(a - this.#lastWanted));
    for (const page of byDistance.slice(0, this.#pages.size - KEEP_PAGES)) this.#pages.delete(page);
  }
}
