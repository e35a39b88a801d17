import { describe, expect, it } from 'vitest';
import { MAX_SPACE_PX, rowWindow, scrollTopToReveal, type RowGeometry } from '../../../renderer/src/lib/row-window.ts';

const ROW = 28;
const VIEW = 600;
const geometry = (total: number, scrollTop: number): RowGeometry => ({ total, rowHeight: ROW, scrollTop, viewHeight: VIEW });

describe('the row window of the exchange list', () => {
  it('scrolls one to one while the list fits the space a browser allows', () => {
    const view = rowWindow(geometry(100_000, 28_000), 0);
    expect(view.spaceHeight).toBe(100_000 * ROW);
    expect([view.first, view.last]).toEqual([1000, 1021]); // rows 1000 to 1021 meet the 600 px view
    expect(view.top(1000)).toBe(28_000);
  });

  it('renders the overscan, never before the first row or after the last', () => {
    expect(rowWindow(geometry(20, 0), 12)).toMatchObject({ first: 0, last: 19 });
    expect(rowWindow(geometry(1000, 28 * 500), 12)).toMatchObject({ first: 488, last: 500 + 22 + 12 - 1 });
    expect(rowWindow(geometry(0, 0), 12).last).toBeLessThan(rowWindow(geometry(0, 0), 12).first);
  });

  it.each([1_000_000, 10_000_000, 100_000_000])('caps the space for %i rows and still reaches the first and the last row', (total) => {
    const start = rowWindow(geometry(total, 0), 0);
    expect(start.spaceHeight).toBe(MAX_SPACE_PX);
    expect(start.first).toBe(0);
    expect(start.top(0)).toBe(0);
    const bottom = MAX_SPACE_PX - VIEW;
    const end = rowWindow(geometry(total, bottom), 0);
    expect(end.last).toBe(total - 1);
    // The last row is drawn flush with the bottom of the view, the rows in view stacked without gaps.
    expect(end.top(total - 1) + ROW).toBeCloseTo(bottom + VIEW, 3);
    expect(end.top(total - 2) + ROW).toBeCloseTo(end.top(total - 1), 3);
  });

  it('moves rows in view monotonically with the scroll position', () => {
    let previous = -1;
    for (let scrollTop = 0; scrollTop <= MAX_SPACE_PX - VIEW; scrollTop += 99_991) {
      const { first } = rowWindow(geometry(5_000_000, scrollTop), 0);
      expect(first).toBeGreaterThanOrEqual(previous);
      previous = first;
    }
  });

  it.each([100_000, 5_000_000])('reveals a row with the least scroll, and the window then holds it fully (%i rows)', (total) => {
    for (const [from, position] of [[0, total - 1], [MAX_SPACE_PX / 2, 3], [0, 5]] as const) {
      const scrollTop = scrollTopToReveal(geometry(total, Math.min(from, Math.min(total * ROW, MAX_SPACE_PX) - VIEW)), position);
      const view = rowWindow(geometry(total, scrollTop), 0);
      expect(position).toBeGreaterThanOrEqual(view.first);
      expect(position).toBeLessThanOrEqual(view.last);
      expect(view.top(position)).toBeGreaterThanOrEqual(scrollTop - 1e-6);
      expect(view.top(position) + ROW).toBeLessThanOrEqual(scrollTop + VIEW + 1e-6);
    }
    // A row already in view does not move the list.
    expect(scrollTopToReveal(geometry(total, 0), 5)).toBe(0);
  });
});
