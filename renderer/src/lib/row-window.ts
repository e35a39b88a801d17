// The rows of a list of fixed-height rows that are in view, worked out from the scroll position alone
// (nothing kept per row). Browsers cap an element's height (Chromium at ~33.5 M px: 1.2 M rows of
// 28 px), so past MAX_SPACE_PX the scrollable space is capped and a scroll position stands for a
// proportionally later row: the first and the last row both stay reachable, and each pixel of scroll
// then moves more than a pixel of rows. Below it the list scrolls one to one.

export const MAX_SPACE_PX = 8_000_000;

export interface RowGeometry {
  total: number;
  rowHeight: number;
  /** The scroller's scrollTop and clientHeight, px. */
  scrollTop: number;
  viewHeight: number;
  maxSpace?: number;
}

export interface RowWindow {
  /** Height of the scrollable space, px. */
  spaceHeight: number;
  /** Positions of the first and last rows to render, overscan included (last < first: none). */
  first: number;
  last: number;
  /** Where the row at `position` is drawn in the scrollable space, px. */
  top(position: number): number;
}

/** The list's own height, the space it scrolls in, and the factor from one to the other. */
function scaling({ total, rowHeight, viewHeight, maxSpace = MAX_SPACE_PX }: RowGeometry): { spaceHeight: number; scale: number } {
  const natural = total * rowHeight;
  const spaceHeight = Math.min(natural, maxSpace);
  // The scroll range [0, space - view] is mapped onto [0, natural - view].
  const scale = natural <= spaceHeight || spaceHeight <= viewHeight ? 1 : (natural - viewHeight) / (spaceHeight - viewHeight);
  return { spaceHeight, scale };
}

export function rowWindow(geometry: RowGeometry, overscan: number): RowWindow {
  const { total, rowHeight, scrollTop, viewHeight } = geometry;
  const { spaceHeight, scale } = scaling(geometry);
  const listTop = scrollTop * scale;
  return {
    spaceHeight,
    first: Math.max(0, Math.floor(listTop / rowHeight) - overscan),
    last: Math.min(total, Math.ceil((listTop + viewHeight) / rowHeight) + overscan) - 1,
    top: (position) => position * rowHeight - listTop + scrollTop,
  };
}

/** The scrollTop that brings the row at `position` fully into view with the least movement. */
export function scrollTopToReveal(geometry: RowGeometry, position: number): number {
  const { rowHeight, scrollTop, viewHeight } = geometry;
  const { scale } = scaling(geometry);
  const listTop = scrollTop * scale;
  const top = position * rowHeight;
  if (top < listTop) return top / scale;
  if (top + rowHeight > listTop + viewHeight) return (top + rowHeight - viewHeight) / scale;
  return scrollTop;
}
