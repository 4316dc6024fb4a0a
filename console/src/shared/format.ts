/**
 * Seconds as `mm:ss` (minutes keep counting past 59: `75:03`); negative
 * values show a leading minus. Not finite gives `--:--`.
 */
export function formatMmSs(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '--:--';
  }
  const sign = seconds < 0 ? '-' : '';
  const whole = Math.floor(Math.abs(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${sign}${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

/** Meters as kilometres with one decimal (`2.4 km`); null gives `–`. */
export function formatKm(meters: number | null | undefined): string {
  if (meters === null || meters === undefined || !Number.isFinite(meters)) {
    return '–';
  }
  return `${(meters / 1000).toFixed(1)} km`;
}

/**
 * A wall-clock time `HH:MM:SS` in the city's time zone (24 h).
 * @param timeZone IANA zone, e.g. `America/Sao_Paulo`
 */
export function formatClock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(at);
}
