/** Which view is showing, and which key is open in the keys view (the timeline and audit log link there). */
export class Navigation {
  view = $state('keys');
  selectedKeyId = $state<string | null>(null);

  go(view: string): void {
    this.view = view;
  }

  openKey(keyId: string): void {
    this.selectedKeyId = keyId;
    this.view = 'keys';
  }
}

export const navigation = new Navigation();
