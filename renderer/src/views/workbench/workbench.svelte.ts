import { keystore } from '../../lib/keystore.svelte.ts';

/** The workbench's open tab, and a token handed from one tool to another ("Verify in the debugger"). */
export const WORKBENCH_TABS = [
  { id: 'debugger', label: 'Debugger' },
  { id: 'sign', label: 'Sign' },
  { id: 'crypt', label: 'Encrypt / Decrypt' },
  { id: 'hmac', label: 'HMAC request' },
  { id: 'ephemeral', label: 'Ephemeral session' },
  { id: 'agreement', label: 'Key agreement' },
] as const;

export type WorkbenchTab = (typeof WORKBENCH_TABS)[number]['id'];

export class Workbench {
  tab = $state<WorkbenchTab>('debugger');
  /** The debugger's token, kept while the user visits other tabs and views. */
  debuggerToken = $state('');
  /** The bytes a detached token signs, when a tool hands one over with it. */
  debuggerPayload = $state('');

  openInDebugger(token: string, payload = ''): void {
    this.debuggerToken = token;
    this.debuggerPayload = payload;
    this.tab = 'debugger';
  }

  reset(): void {
    this.debuggerToken = '';
    this.debuggerPayload = '';
  }
}

export const workbench = new Workbench();
keystore.onLock(() => workbench.reset());
