// GET /trace?output_id=&direction=&depth=: the lineage graph of an output.

import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
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

/** Key and fetcher together, for the view and for prefetching while the view's code loads. */
export const traceQuery = (params: TraceParams) =>
  queryOptions({
    queryKey: traceKey(params),
    queryFn: ({ signal }) => getTrace(params, signal),
  });

/** The direction and depth a trace URL's query string asks for (upstream, all by default). */
export function traceSearch(searchParams: URLSearchParams): Omit<TraceParams, "outputId"> {
  const direction: Direction =
    searchParams.get("direction") === "downstream" ? "downstream" : "upstream";
  return { direction, depth: parseDepth(searchParams.get("depth")) };
}

/** A positive whole number, or null (all) for anything else. */
export function parseDepth(value: string | null): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const depth = Number(value);
  return depth > 0 ? depth : null;
}

export function useTrace(params: TraceParams) {
  return useQuery({ ...traceQuery(params), placeholderData: keepPreviousData });
}
