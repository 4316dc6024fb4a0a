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

/**
 * Meters as kilometres with one decimal (`2.4 km`, `2,4 km` in es-AR);
 * null gives `–`.
 * @param locale BCP 47 locale of the digits (default en-US)
 */
export function formatKm(
  meters: number | null | undefined,
  locale = 'en-US',
): string {
  if (meters === null || meters === undefined || !Number.isFinite(meters)) {
    return '–';
  }
  return `${formatNumber(meters / 1000, locale, 1)} km`;
}

/**
 * A number with the locale's digit grouping and decimal sign.
 * @param digits fraction digits shown (always that many)
 */
export function formatNumber(
  value: number,
  locale: string,
  digits = 0,
): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/**
 * A wall-clock time `HH:MM:SS` in the city's time zone (24 h), with the
 * locale's separators.
 * @param timeZone IANA zone, e.g. `America/Sao_Paulo`
 * @param locale BCP 47 locale, e.g. `es-AR` (default en-GB)
 */
export function formatClock(
  at: Date,
  timeZone: string,
  locale = 'en-GB',
): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    // h23, not hour12: false, which some engines render as 24:00:00.
    hourCycle: 'h23',
  }).format(at);
}
