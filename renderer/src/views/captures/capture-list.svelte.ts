import type { CaptureView } from '../../../../main/services/views.ts';
import { call, messageOf } from '../../lib/api.ts';
import { keystore } from '../../lib/keystore.svelte.ts';

/** The stored captures, and which one is open. Kept while the user visits other views. */
export class CaptureList {
  captures = $state.raw<CaptureView[]>([]);
  loaded = $state(false);
  error = $state('');
  openId = $state<string | null>(null);

  get open(): CaptureView | undefined {
    return this.captures.find((capture) => capture.id === this.openId);
  }

  async refresh(): Promise<void> {
    try {
      this.captures = await call('captures.list', {});
      this.error = '';
      if (this.openId && !this.open) this.openId = null;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.loaded = true;
    }
  }

  reset(): void {
    this.captures = [];
    this.loaded = false;
    this.error = '';
    this.openId = null;
  }

  async remove(id: string): Promise<void> {
    await call('captures.delete', { id });
    if (this.openId === id) this.openId = null;
    await this.refresh();
  }
}

export const captureList = new CaptureList();
keystore.onLock(() => captureList.reset());
