import type { TabletFix } from '../shared/types.ts';

/** What the GPS line shows the crew. */
export type GpsState =
  | { kind: 'unsupported' }
  | { kind: 'waiting' }
  | { kind: 'ok'; accuracyMeters: number }
  | { kind: 'denied' | 'error'; message: string };

/**
 * The device's position as tablet fixes, at most one per `minIntervalMs`.
 * Handles a browser with no geolocation, or a denied permission, by
 * reporting the state and sending nothing.
 * @returns a function that stops watching
 */
export function watchFixes(
  onFix: (fix: TabletFix) => void,
  onState: (state: GpsState) => void,
  minIntervalMs = 3000,
): () => void {
  const geo =
    typeof navigator === 'undefined' ? undefined : navigator.geolocation;
  if (!geo) {
    onState({ kind: 'unsupported' });
    return () => undefined;
  }
  onState({ kind: 'waiting' });
  let lastSentMs = -Infinity;
  const id = geo.watchPosition(
    (position) => {
      const { latitude, longitude, speed, heading, accuracy } = position.coords;
      onState({ kind: 'ok', accuracyMeters: accuracy });
      if (position.timestamp - lastSentMs < minIntervalMs) return;
      lastSentMs = position.timestamp;
      onFix({
        lat: latitude,
        lon: longitude,
        at: new Date(position.timestamp).toISOString(),
        speedMps: speed,
        // A stopped device reports NaN heading.
        headingDeg: heading === null || Number.isNaN(heading) ? null : heading,
        accuracyMeters: accuracy,
      });
    },
    (error) => {
      onState({
        kind: error.code === error.PERMISSION_DENIED ? 'denied' : 'error',
        message: error.message || 'position unavailable',
      });
    },
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 30_000 },
  );
  return () => geo.clearWatch(id);
}
