/** A throttled call and its controls. */
export interface Throttled {
  /** Asks for a call: now if none ran within the interval, else later. */
  (): void;
  /** Calls now, whatever the interval, and drops a pending call. */
  now(): void;
  /** Drops a pending call and ignores later requests. */
  cancel(): void;
}

/**
 * Calls `fn` at most once per `intervalMs`: the first request runs at
 * once; requests within the interval after a call are merged into one
 * trailing call at the interval's end, so the last change is never lost.
 */
export function throttle(fn: () => void, intervalMs: number): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cancelled = false;

  const run = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = Date.now();
    fn();
  };

  const request = (() => {
    if (cancelled || timer !== null) return;
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  }) as Throttled;
  request.now = () => {
    if (!cancelled) run();
  };
  request.cancel = () => {
    cancelled = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return request;
}
