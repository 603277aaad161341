// GET /runs/{run_id}: one run with its code snapshot and its component's metadata.

import { useQuery } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { RunDetail } from "../../../lib/types";

export const runKey = (runId: number) => ["runs", "detail", runId] as const;

export function getRun(runId: number, signal?: AbortSignal) {
  return apiRequest<RunDetail>(`/runs/${seg(runId)}`, { signal });
}

export function useRun(runId: number | null) {
  return useQuery({
    queryKey: runKey(runId ?? -1),
    queryFn: ({ signal }) => getRun(runId as number, signal),
    enabled: runId !== null,
  });
}
