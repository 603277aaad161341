// Values as the charts plot them: JSON numbers (NaN/Infinity arrive as strings) to plot values,
// the "far from the median" rule, and thinning a long series to what a chart can draw.

/** What the API sends for a metric value: a number, a non-finite one as a string, or anything else. */
export type MetricValue = unknown;

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

/** A number (NaN and ±Infinity from their strings), or null for a value that is not a number (booleans too). */
export function numberOf(value: MetricValue): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value in NON_FINITE) return NON_FINITE[value]!;
  return null;
}

/** The y of a point: a finite number, else null, which the line leaves as a gap. */
export function plotValue(value: MetricValue): number | null {
  const n = numberOf(value);
  return n !== null && Number.isFinite(n) ? n : null;
}

/** A value as the tooltip words it: numbers to 6 significant digits, "NaN"/"Infinity" as they are. */
export function formatChartValue(value: MetricValue): string {
  const n = numberOf(value);
  if (n === null) return String(value);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(n) ? String(n) : String(+n.toPrecision(6));
}

const median = (sorted: number[]): number => {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// The rule review's outlier evidence uses (mltrace/lineage/evidence.py): a robust z-score (median and MAD) of
// at least OUTLIER_Z; when the MAD is 0 (most values agree exactly), a value OUTLIER_RATIO times the median or
// more (or its inverse or less), or any non-zero value where the median is 0.
export const OUTLIER_Z = 3.5;
export const OUTLIER_RATIO = 2.0;
/** Fewer values than this say nothing about what is usual. */
export const MIN_VALUES = 3;

/** For each value, whether it is far from the median of the finite ones (null values are never far). */
export function farFromMedian(values: (number | null)[]): boolean[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < MIN_VALUES) return values.map(() => false);
  const m = median([...finite].sort((a, b) => a - b));
  const mad = median(finite.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
  return values.map((v) => {
    if (v === null || !Number.isFinite(v) || v === m) return false;
    if (mad > 0) return Math.abs((0.6745 * (v - m)) / mad) >= OUTLIER_Z;
    if (m === 0) return true;
    const ratio = v / m;
    return !(1 / OUTLIER_RATIO < ratio && ratio < OUTLIER_RATIO);
  });
}

/**
 * At most about `max` points of a series, for a chart a few hundred pixels wide: every point when it has
 * no more, else per bucket of consecutive points the lowest and the highest (in their order, so spikes
 * stay) and one gap point where the bucket had a gap (so gaps stay).
 */
export function thinSeries<T>(points: T[], y: (point: T) => number | null, max = 1000): T[] {
  if (points.length <= max) return points;
  const size = Math.ceil((points.length * 2) / max);
  const kept: T[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    let low: T | undefined;
    let high: T | undefined;
    let gap: T | undefined;
    for (const point of bucket) {
      const value = y(point);
      if (value === null) {
        gap ??= point;
        continue;
      }
      if (low === undefined || value < y(low)!) low = point;
      if (high === undefined || value > y(high)!) high = point;
    }
    const picked = [low, high, gap].filter((p): p is T => p !== undefined);
    const ordered = [...new Set(picked)].sort((a, b) => bucket.indexOf(a) - bucket.indexOf(b));
    kept.push(...ordered);
  }
  return kept;
}
