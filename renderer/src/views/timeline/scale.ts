import type { KeyView } from '../../../../main/services/views.ts';

// The timeline's geometry: which stretch of time is drawn, how many pixels a day takes at each zoom,
// and where the axis ticks fall. Pure functions of dates, so the chart components only draw.

export type Zoom = 'year' | 'quarter' | 'month';

export const DAY_MS = 86_400_000;
export const PX_PER_DAY: Record<Zoom, number> = { year: 1.5, quarter: 5, month: 18 };
/** Blank time either side of the keys (and of today), so the first and last bars are not cut. */
const MARGIN_DAYS: Record<Zoom, number> = { year: 90, quarter: 30, month: 10 };
/** Reminders go out this many days before expiry (the notification policy). */
export const REMINDER_DAYS = [90, 30, 7, 1] as const;

export interface Scale {
  start: Date;
  end: Date;
  pxPerDay: number;
  width: number;
  x(date: Date): number;
}

export function keyStart(key: KeyView): Date {
  return new Date(key.notBefore ?? key.createdAt);
}

export function makeScale(keys: KeyView[], now: Date, zoom: Zoom, minWidth: number): Scale {
  const margin = MARGIN_DAYS[zoom] * DAY_MS;
  let first = now.getTime() - margin;
  let last = now.getTime() + margin;
  for (const key of keys) {
    first = Math.min(first, keyStart(key).getTime() - margin);
    if (key.expiresAt) last = Math.max(last, new Date(key.expiresAt).getTime() + margin);
  }
  const pxPerDay = PX_PER_DAY[zoom];
  // Widen to the viewport so a short span does not leave the right side empty.
  const minDays = minWidth / pxPerDay;
  if ((last - first) / DAY_MS < minDays) last = first + minDays * DAY_MS;
  const start = startOfMonth(new Date(first));
  const end = new Date(last);
  const width = Math.ceil(((end.getTime() - start.getTime()) / DAY_MS) * pxPerDay);
  return { start, end, pxPerDay, width, x: (date) => ((date.getTime() - start.getTime()) / DAY_MS) * pxPerDay };
}

export interface Tick {
  at: Date;
  label: string;
  major: boolean;
}

const monthName = new Intl.DateTimeFormat(undefined, { month: 'short' });

function startOfMonth(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), 1);
}

/** Month starts at every zoom (labelled by quarter when zoomed out), plus Mondays at month zoom. */
export function ticksFor(scale: Scale, zoom: Zoom): Tick[] {
  const ticks: Tick[] = [];
  for (let at = startOfMonth(scale.start); at <= scale.end; at = new Date(at.getFullYear(), at.getMonth() + 1, 1)) {
    const january = at.getMonth() === 0;
    const label =
      zoom === 'year'
        ? january
          ? String(at.getFullYear())
          : at.getMonth() % 3 === 0
            ? monthName.format(at)
            : ''
        : january || zoom === 'month'
          ? `${monthName.format(at)} ${at.getFullYear()}`
          : monthName.format(at);
    ticks.push({ at, label, major: zoom === 'month' || january });
  }
  if (zoom === 'month') {
    const monday = new Date(scale.start);
    monday.setDate(monday.getDate() + ((8 - monday.getDay()) % 7));
    for (let at = monday; at <= scale.end; at = new Date(at.getFullYear(), at.getMonth(), at.getDate() + 7)) {
      // Skip Mondays next to a month start: their labels would run into the month's.
      const daysInMonth = new Date(at.getFullYear(), at.getMonth() + 1, 0).getDate();
      if (at.getDate() > 3 && daysInMonth - at.getDate() >= 3) ticks.push({ at, label: String(at.getDate()), major: false });
    }
  }
  return ticks;
}
