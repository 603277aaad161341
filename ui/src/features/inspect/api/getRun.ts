// GET /runs/{run_id}: one run with its code snapshot and its component's metadata.

import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { RunDetail } from "../../../lib/types";

export const runKey = (runId: number) => ["runs", "detail", runId] as const;

export function getRun(runId: number, signal?: AbortSignal) {
  return apiRequest<RunDetail>(`/runs/${seg(runId)}`, { signal });
}

/** Key and fetcher together, for the view and for prefetching while a view's code loads. */
export const runQuery = (runId: number) =>
  queryOptions({ queryKey: runKey(runId), queryFn: ({ signal }) => getRun(runId, signal) });

export function useRun(runId: number | null) {
  return useQuery({ ...runQuery(runId ?? -1), enabled: runId !== null });
}
