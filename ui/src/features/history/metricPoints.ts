// A component's runs as one series of points per numeric metric (x = start time), each point marked with
// what makes its run stand out: failed, an output flagged, suspect, or a value far from the median.

import { farFromMedian, plotValue } from "../../lib/chartValues";
import type { Run } from "../../lib/types";

/** Why a point stands out, most serious first; `usual` when nothing does. */
export type PointMark = "failed" | "flagged" | "suspect" | "unusual" | "usual";

export const MARK_ORDER: PointMark[] = ["failed", "flagged", "suspect", "unusual", "usual"];

export const MARK_LABELS: Record<PointMark, string> = {
  failed: "failed run",
  flagged: "output flagged",
  suspect: "suspect run",
  unusual: "value far from the median",
  usual: "run",
};

export interface MetricPoint {
  runId: number;
  /** Start time, ms since the epoch. */
  time: number;
  start: string;
  /** The value as recorded (a number, or "NaN"/"Infinity"); `y` is what the line plots (null: a gap). */
  value: unknown;
  y: number | null;
  mark: PointMark;
}

export interface MetricSeries {
  key: string;
  points: MetricPoint[];
}

function runMark(run: Run): PointMark | null {
  if (run.status === "failed") return "failed";
  if (run.outputs.some((output) => output.flagged)) return "flagged";
  if (run.suspect && run.suspect.length > 0) return "suspect";
  return null;
}

/** One series per metric that holds a number on at least one run, keys sorted, points oldest first. */
export function metricSeries(runs: Run[]): MetricSeries[] {
  const ordered = [...runs].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const keys = new Set<string>();
  for (const run of ordered) {
    for (const [key, value] of Object.entries(run.metrics ?? {})) {
      if (plotValue(value) !== null) keys.add(key);
    }
  }
  return [...keys].sort().map((key) => {
    const withKey = ordered.filter((run) => run.metrics && key in run.metrics);
    const ys = withKey.map((run) => plotValue(run.metrics![key]));
    const far = farFromMedian(ys);
    const points = withKey.map((run, i) => ({
      runId: run.id,
      time: Date.parse(run.start),
      start: run.start,
      value: run.metrics![key],
      y: ys[i]!,
      mark: runMark(run) ?? (far[i] ? "unusual" : "usual"),
    }));
    return { key, points };
  });
}

/** The marks the series use, what a legend lists: the usual run first, then the others in MARK_ORDER. */
export function marksUsed(series: MetricSeries[]): PointMark[] {
  const used = new Set(
    series.flatMap((s) => s.points.filter((p) => p.y !== null).map((p) => p.mark)),
  );
  return ["usual" as const, ...MARK_ORDER.filter((mark) => mark !== "usual")].filter((mark) =>
    used.has(mark),
  );
}
