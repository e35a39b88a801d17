import { messageOf } from './api.ts';

/** What the user just asked a form to do: busy while it runs, and the service's message if it fails. */
export class Action {
  busy = $state(false);
  error = $state('');

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await work();
    } catch (caught) {
      this.error = messageOf(caught);
    } finally {
      this.busy = false;
    }
  }
}
