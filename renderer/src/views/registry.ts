import type { Component } from 'svelte';
import type { IconName } from '../components/icons.ts';
import AuditView from './audit/AuditView.svelte';
import CapturesView from './captures/CapturesView.svelte';
import KeysView from './keys/KeysView.svelte';
import NotificationsView from './notifications/NotificationsView.svelte';
import SettingsView from './settings/SettingsView.svelte';
import TimelineView from './timeline/TimelineView.svelte';
import WorkbenchView from './workbench/WorkbenchView.svelte';

/**
 * The views of the console, in nav-rail order. Adding a view is one folder under `views/` and one
 * entry here.
 */
export interface ViewEntry {
  id: string;
  label: string;
  icon: IconName;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'keys', label: 'Keys', icon: 'key', component: KeysView },
  { id: 'timeline', label: 'Timeline', icon: 'timeline', component: TimelineView },
  { id: 'captures', label: 'Captures', icon: 'captures', component: CapturesView },
  { id: 'workbench', label: 'Workbench', icon: 'workbench', component: WorkbenchView },
  { id: 'notifications', label: 'Notifications', icon: 'bell', component: NotificationsView },
  { id: 'audit', label: 'Audit log', icon: 'audit', component: AuditView },
  { id: 'settings', label: 'Settings', icon: 'settings', component: SettingsView },
];
