// GET /runs?limit=&before=: recent runs, newest first, one cursor page at a time; with a filter,
// GET /runs?where=&order_by=&limit=&before=: the runs it matches, in its order.

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { RecentRunsPage } from "../../../lib/types";

export const RECENT_PAGE_SIZE = 20;

type Cursor = RecentRunsPage["next"];

/** A filter in the query language (`metrics.accuracy > 0.9 and params.model = 'resnet18'`) and an order
 * (`metrics.accuracy desc`); both empty: every run, newest first. */
export interface RunFilter {
  where: string;
  orderBy: string;
}

export const NO_FILTER: RunFilter = { where: "", orderBy: "" };

export const isFiltered = (filter: RunFilter) => filter.where !== "" || filter.orderBy !== "";

export const recentRunsKey = (limit: number, filter: RunFilter = NO_FILTER) =>
  isFiltered(filter)
    ? (["runs", "filtered", { limit, ...filter }] as const)
    : (["runs", "recent", { limit }] as const);

export function getRecentRuns(
  limit: number,
  before: Cursor,
  signal?: AbortSignal,
  filter: RunFilter = NO_FILTER,
): Promise<RecentRunsPage> {
  return apiRequest<RecentRunsPage>("/runs", {
    query: { where: filter.where, order_by: filter.orderBy, limit, before },
    signal,
  });
}

export function useRecentRuns(limit = RECENT_PAGE_SIZE, filter: RunFilter = NO_FILTER) {
  return useInfiniteQuery({
    queryKey: recentRunsKey(limit, filter),
    queryFn: ({ pageParam, signal }) => getRecentRuns(limit, pageParam, signal, filter),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}
