/** Numbers and times for people, as `plexbeam analyze` and the dashboard's feasibility summary write them. */

/** `1,234,567` (the same on every locale, so output is stable). */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `42.1%` of a 0..1 fraction; `-` when null. */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return '-';
  const percent = fraction * 100;
  return `${percent !== 0 && Math.abs(percent) < 0.1 ? '<0.1' : percent.toFixed(1)}%`;
}

/** A duration in the unit that reads best: `850 ms`, `12.5 s`, `42 min`, `3.4 h`, `1,234 h`; `-` when null. */
export function formatDuration(secondsValue: number | null): string {
  if (secondsValue === null) return '-';
  if (secondsValue < 1) return `${Math.round(secondsValue * 1000)} ms`;
  if (secondsValue < 120) return `${secondsValue.toFixed(1)} s`;
  if (secondsValue < 7200) return `${Math.round(secondsValue / 60)} min`;
  const hours = secondsValue / 3600;
  return hours < 100 ? `${hours.toFixed(1)} h` : `${formatCount(hours)} h`;
}

/** A time as `2025-01-31 18:00` in local time; `-` when null. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
