import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { throttle } from './throttle.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('throttle', () => {
  it('runs the first request at once', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    call();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('merges requests within the interval into one trailing call', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    call();
    vi.advanceTimersByTime(1000);
    call();
    call();
    vi.advanceTimersByTime(3000);
    call();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('never runs more than once per interval under a stream of requests', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    for (let i = 0; i < 200; i++) {
      call();
      vi.advanceTimersByTime(100);
    }
    // Requests from 0 to 19.9 s: calls at 0, 5, 10 and 15 s, and the
    // trailing one for the last requests at 20 s; then nothing more.
    expect(fn).toHaveBeenCalledTimes(5);
    vi.advanceTimersByTime(60_000);
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it('runs at once again after a quiet interval', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    call();
    vi.advanceTimersByTime(7000);
    call();
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('now() runs at once, drops the pending call and restarts the interval', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    call();
    call();
    vi.advanceTimersByTime(1000);
    call.now();
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(4000);
    expect(fn).toHaveBeenCalledTimes(2);
    call();
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('cancel() drops the pending call and later requests', () => {
    const fn = vi.fn();
    const call = throttle(fn, 5000);
    call();
    call();
    call.cancel();
    vi.advanceTimersByTime(10_000);
    call();
    call.now();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
