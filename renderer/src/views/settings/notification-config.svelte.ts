import type { Input } from '../../../../main/api/contract.ts';
import type { ChannelSettingsView, NotificationConfigView } from '../../../../main/services/notification-views.ts';
import { call, messageOf } from '../../lib/api.ts';
import { splitList } from '../../lib/lists.ts';

/** Where reminders and status changes go: the channels per owner and the SMTP server, as the service has them. */
export class NotificationConfig {
  config = $state.raw<NotificationConfigView | null>(null);
  loadError = $state('');

  async load(): Promise<void> {
    try {
      this.config = await call('notifications.config', {});
    } catch (error) {
      this.loadError = messageOf(error);
    }
  }

  async configure(patch: Input<'notifications.configure'>): Promise<void> {
    this.config = await call('notifications.configure', patch);
  }

  /** An owner's channels (already merged over the defaults), or the defaults for ''. */
  channelsOf(owner: string): ChannelSettingsView | undefined {
    return owner ? (this.config?.owners[owner] ?? this.config?.defaults) : this.config?.defaults;
  }
}

/** One scope's channel switches as the form edits them. */
export class ChannelDraft {
  inApp = $state(true);
  os = $state(false);
  email = $state(false);
  emailTo = $state('');
  webhook = $state(false);
  webhookUrl = $state('');

  load(channels: ChannelSettingsView): void {
    this.inApp = channels.inApp;
    this.os = channels.os;
    this.email = channels.email;
    this.emailTo = channels.emailTo.join(', ');
    this.webhook = channels.webhook;
    this.webhookUrl = channels.webhookUrl ?? '';
  }

  values(): NonNullable<Input<'notifications.configure'>['channels']> {
    const emailTo = splitList(this.emailTo);
    return {
      inApp: this.inApp,
      os: this.os,
      email: this.email,
      emailTo: emailTo.length > 0 ? emailTo : null,
      webhook: this.webhook,
      webhookUrl: this.webhookUrl.trim() || null,
    };
  }
}
