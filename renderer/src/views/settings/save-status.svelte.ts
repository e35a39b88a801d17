import { messageOf } from '../../lib/api.ts';

/** A settings form's save: busy while it runs, then "Saved." or the error to show beside the form. */
export class SaveStatus {
  busy = $state(false);
  saved = $state(false);
  error = $state('');

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.saved = false;
    try {
      await work();
      this.saved = true;
    } catch (caught) {
      this.error = messageOf(caught);
    } finally {
      this.busy = false;
    }
  }
}
