// GET /components/{name}/runs?limit=&since=&until=: a component's runs, newest first.

import { useQuery } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { ComponentRuns } from "../../../lib/types";

export interface HistoryParams {
  component: string;
  limit: number;
  /** ISO 8601 timestamps; `since` inclusive, `until` exclusive, on start time. */
  since?: string;
  until?: string;
}

export const componentRunsKey = (params: HistoryParams) =>
  ["components", params.component, "runs", params] as const;

export function getComponentRuns(params: HistoryParams, signal?: AbortSignal) {
  return apiRequest<ComponentRuns>(`/components/${seg(params.component)}/runs`, {
    query: { limit: params.limit, since: params.since, until: params.until },
    signal,
  });
}

export function useComponentRuns(params: HistoryParams) {
  return useQuery({
    queryKey: componentRunsKey(params),
    queryFn: ({ signal }) => getComponentRuns(params, signal),
  });
}
