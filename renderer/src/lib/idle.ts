const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_EVERY_MS = 5_000;

/**
 * Calls `onIdle` once the user has not touched the page for `minutes`. Checks on an interval against
 * the wall clock, so a laptop waking from sleep locks at once instead of after a full new period.
 * While `working()` says work the user started is running (locking would cancel it: a gigabyte import
 * takes minutes), the page counts as in use. Returns the function that stops watching.
 */
export function watchIdle(minutes: number, onIdle: () => void, working: () => boolean = () => false): () => void {
  if (minutes <= 0) return () => {};
  let lastActivity = Date.now();
  const touch = (): void => {
    lastActivity = Date.now();
  };
  for (const name of ACTIVITY_EVENTS) window.addEventListener(name, touch, { passive: true, capture: true });
  const timer = setInterval(() => {
    if (working()) touch();
    else if (Date.now() - lastActivity >= minutes * 60_000) {
      lastActivity = Date.now();
      onIdle();
    }
  }, CHECK_EVERY_MS);
  return () => {
    clearInterval(timer);
    for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, touch, { capture: true });
  };
}
