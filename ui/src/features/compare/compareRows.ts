// What the compare view shows, worked out from the API's answer: rows by group, cells as text, and
// the data its charts draw. Pure functions, tested on their own.

import { formatDuration, formatValue } from "../../lib/format";
import type { Comparison, CompareGroup, CompareRow } from "./api/getComparison";

export const GROUP_LABELS: Record<CompareGroup, string> = {
  params: "Params",
  metrics: "Metrics",
  run: "Run",
  inputs: "Inputs",
};
const GROUP_ORDER: CompareGroup[] = ["params", "metrics", "run", "inputs"];
const SHORT = 10; // characters of a hash shown in a cell (the whole in its tooltip)
const HASHED = new Set(["code_hash", "git_commit"]);

/** Rows of one group, in the API's order. */
export interface RowGroup {
  group: CompareGroup;
  rows: CompareRow[];
}

/** The rows that differ (or those that do not), grouped in the order params, metrics, run, inputs. */
export function groupRows(rows: readonly CompareRow[], differs: boolean): RowGroup[] {
  return GROUP_ORDER.map((group) => ({
    group,
    rows: rows.filter((row) => row.differs === differs && row.group === group),
  })).filter((g) => g.rows.length > 0);
}

/** A cell's text and, when it is shortened, the whole value for its tooltip. */
export function cellText(row: CompareRow, value: unknown): { text: string; title?: string } {
  if (value === null || value === undefined) return { text: "—" };
  if (row.group === "run" && row.key === "duration_ms" && typeof value === "number")
    return { text: formatDuration(value) };
  if (row.group === "inputs" && value === true)
    return { text: "read", title: "no version recorded" };
  if (typeof value === "string" && (HASHED.has(row.key) || row.group === "inputs"))
    return value.length > SHORT
      ? { text: `${value.slice(0, SHORT)}…`, title: value }
      : { text: value };
  return { text: formatValue(value) };
}

/** A row's label: the fact's name in words, else the key. */
export function rowLabel(row: CompareRow): string {
  if (row.group !== "run") return row.key;
  return (
    {
      component: "component",
      status: "status",
      code_hash: "code hash",
      git_commit: "git commit",
      duration_ms: "duration",
    }[row.key] ?? row.key
  );
}

/** Whether a run's value differs from the first run's (the cells a differing row marks). */
export function differsFromFirst(row: CompareRow, index: number): boolean {
  return index > 0 && JSON.stringify(row.values[index]) !== JSON.stringify(row.values[0]);
}

/** A series value as a number for a chart; NaN and ±Infinity are left out (a gap). */
export function chartNumber(value: number | string): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** `run<id>`: the data key of a run's line or bar. */
export const runKey = (runId: number) => `run${runId}`;

/** One step metric's points as recharts takes them: a row per step, a column per run. */
export function stepChartData(
  comparison: Comparison,
  key: string,
): Record<string, number | null>[] {
  const metric = comparison.series.find((m) => m.key === key);
  if (!metric) return [];
  const bySteps = new Map<number, Record<string, number | null>>();
  for (const series of metric.runs) {
    series.steps.forEach((step, i) => {
      const point = bySteps.get(step) ?? { step };
      point[runKey(series.run_id)] = chartNumber(series.values[i]!);
      bySteps.set(step, point);
    });
  }
  return [...bySteps.values()].sort((a, b) => (a.step as number) - (b.step as number));
}

/** Run-level metrics at least one run holds a finite number for: a bar chart each. */
export function numericMetrics(comparison: Comparison): CompareRow[] {
  return comparison.rows
    .filter(
      (row) => row.group === "metrics" && row.values.some((v) => chartNumber(v as number) !== null),
    )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One metric's bars: a bar per run that has a number for it. */
export function barChartData(comparison: Comparison, row: CompareRow) {
  return comparison.runs.map((run, i) => ({
    run: `Run ${run.id}`,
    value: typeof row.values[i] === "number" ? chartNumber(row.values[i] as number) : null,
  }));
}

/** A colour per run, far apart in hue (the golden angle), readable on light and dark backgrounds. */
export function runColor(index: number): string {
  const hue = Math.round((index * 137.508 + 210) % 360);
  return `hsl(${hue} 70% 52%)`;
}

/** Parses `/compare/12,15,18`'s segment into distinct run ids; null when it is not a list of ids. */
export function parseRunIds(segment: string): number[] | null {
  const parts = segment.split(",");
  if (parts.some((part) => !/^\d{1,10}$/.test(part))) return null;
  return [...new Set(parts.map(Number))];
}
