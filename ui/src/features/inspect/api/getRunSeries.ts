// GET /runs/{run_id}/series: the run's step series (log_metrics(..., step=)), one list of points per key.

import { useQuery } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { RunSeries } from "../../../lib/types";

export const runSeriesKey = (runId: number) => ["runs", "series", runId] as const;

export function getRunSeries(runId: number, signal?: AbortSignal) {
  return apiRequest<RunSeries>(`/runs/${seg(runId)}/series`, { signal });
}

export function useRunSeries(runId: number) {
  return useQuery({
    queryKey: runSeriesKey(runId),
    queryFn: ({ signal }) => getRunSeries(runId, signal),
  });
}
