// GET /compare?ids=: runs side by side, a row per param, metric, fact or input, with their step series.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";

export { MAX_COMPARED, MIN_COMPARED } from "../../../lib/commandParser";

export type CompareGroup = "params" | "metrics" | "run" | "inputs";

/** A compared run's column header. */
export interface ComparedRun {
  id: number;
  component: string;
  status: string;
  start: string;
  end: string;
  duration_ms: number | null;
}

/** A param, metric, fact or input: a value per run in the order of `runs`, null where a run has none. */
export interface CompareRow {
  group: CompareGroup;
  key: string;
  differs: boolean;
  values: unknown[];
}

/** One run's points of a step metric; `count` is how many it stored (more than listed when sampled). */
export interface RunSeries {
  run_id: number;
  count: number;
  steps: number[];
  /** Numbers, or "NaN" / "Infinity" / "-Infinity". */
  values: (number | string)[];
}

export interface StepMetric {
  key: string;
  runs: RunSeries[];
}

export interface Comparison {
  runs: ComparedRun[];
  differing: number;
  rows: CompareRow[];
  series: StepMetric[];
}

export const comparisonKey = (ids: readonly number[]) => ["compare", ids.join(",")] as const;

export function getComparison(ids: readonly number[], signal?: AbortSignal) {
  return apiRequest<Comparison>("/compare", { query: { ids: ids.join(",") }, signal });
}

export function useComparison(ids: readonly number[]) {
  return useQuery({
    queryKey: comparisonKey(ids),
    queryFn: ({ signal }) => getComparison(ids, signal),
  });
}
