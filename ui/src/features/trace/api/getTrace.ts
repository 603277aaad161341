// GET /trace?output_id=&direction=&depth=: the lineage graph of an output.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { Direction, Trace } from "../../../lib/types";

export interface TraceParams {
  outputId: string;
  direction: Direction;
  /** Number of runs to follow; null for all. */
  depth: number | null;
}

export const traceKey = (params: TraceParams) => ["trace", params] as const;

export function getTrace(params: TraceParams, signal?: AbortSignal) {
  return apiRequest<Trace>("/trace", {
    query: { output_id: params.outputId, direction: params.direction, depth: params.depth },
    signal,
  });
}

export function useTrace(params: TraceParams) {
  return useQuery({
    queryKey: traceKey(params),
    queryFn: ({ signal }) => getTrace(params, signal),
    placeholderData: keepPreviousData,
  });
}
