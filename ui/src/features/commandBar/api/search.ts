// GET /search?q=&limit=: completion candidates (components, run ids, output ids, tags).

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { SearchResult } from "../../../lib/types";

export const SEARCH_LIMIT = 20;

export const searchKey = (q: string) => ["search", q] as const;

export async function search(q: string, signal?: AbortSignal): Promise<SearchResult[]> {
  const body = await apiRequest<{ results: SearchResult[] }>("/search", {
    query: { q, limit: SEARCH_LIMIT },
    signal,
  });
  return body.results;
}

/** Searches once `q` is non-empty; pass an already debounced value. */
export function useSearch(q: string) {
  return useQuery({
    queryKey: searchKey(q),
    queryFn: ({ signal }) => search(q, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}
