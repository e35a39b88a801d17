import type { Component } from 'svelte';
import type { IconName } from '../components/icons.ts';
import AuditView from './audit/AuditView.svelte';
import KeysView from './keys/KeysView.svelte';
import NotificationsView from './notifications/NotificationsView.svelte';
import SettingsView from './settings/SettingsView.svelte';
import TimelineView from './timeline/TimelineView.svelte';

/**
 * The views of the console, in nav-rail order. Adding a view is one folder under `views/` and one
 * entry here (Captures and Workbench join when their services exist).
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
  { id: 'notifications', label: 'Notifications', icon: 'bell', component: NotificationsView },
  { id: 'audit', label: 'Audit log', icon: 'audit', component: AuditView },
  { id: 'settings', label: 'Settings', icon: 'settings', component: SettingsView },
];
