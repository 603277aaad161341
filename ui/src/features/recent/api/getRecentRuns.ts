// GET /runs?limit=&before=: recent runs, newest first, one cursor page at a time.

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { RecentRunsPage } from "../../../lib/types";

export const RECENT_PAGE_SIZE = 20;

type Cursor = RecentRunsPage["next"];

export const recentRunsKey = (limit: number) => ["runs", "recent", { limit }] as const;

export function getRecentRuns(
  limit: number,
  before: Cursor,
  signal?: AbortSignal,
): Promise<RecentRunsPage> {
  return apiRequest<RecentRunsPage>("/runs", { query: { limit, before }, signal });
}

export function useRecentRuns(limit = RECENT_PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: recentRunsKey(limit),
    queryFn: ({ pageParam, signal }) => getRecentRuns(limit, pageParam, signal),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}
