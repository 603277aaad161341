// Formats times, durations and numbers for display in the viewer's locale and time zone.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** An ISO timestamp shown in the viewer's local time; the input back unchanged if unparsable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/**
 * A duration in milliseconds as "850 ms", "3.4 s", "2 min 05 s", "1 h 02 min" or "2 d 03 h",
 * rounded half up to the unit shown: the command line's `duration` follows the same rule, and
 * both are tested on durationCases.json.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1440) return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
  const hours = Math.round(ms / 3_600_000);
  return `${Math.floor(hours / 24)} d ${pad2(hours % 24)} h`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * A size in bytes as "512 B", "1.5 kB", "12.0 MB" (powers of 1,000), as the command line's `size`
 * shows it; both are tested on sizeCases.json.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  for (const unit of ["kB", "MB", "GB", "TB"]) {
    value /= 1000;
    if (value < 999.95 || unit === "TB") return `${value.toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

/** "1 run", "2 runs": a number with its noun (`plural` when it is not the singular plus "s"). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** A value from params/metrics JSON as short text. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(+value.toPrecision(6));
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A fraction 0–1 as a whole percentage. */
export const formatPercent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** A `datetime-local` input value (viewer's local time) as an ISO 8601 UTC timestamp, or "" . */
export function localInputToIso(value: string): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

/** An ISO timestamp as a `datetime-local` input value in the viewer's local time, or "". */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
