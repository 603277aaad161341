// GET /impact?id=&limit=: the runs and endpoint outputs downstream of an output or of `run:N`.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { Impact } from "../../../lib/types";

/** How many of the newest affected outputs the impact view lists. */
export const IMPACT_LIMIT = 20;

export const impactKey = (id: string, limit: number) => ["impact", { id, limit }] as const;

export function getImpact(id: string, limit: number, signal?: AbortSignal) {
  return apiRequest<Impact>("/impact", { query: { id, limit }, signal });
}

export function useImpact(id: string, limit = IMPACT_LIMIT) {
  return useQuery({
    queryKey: impactKey(id, limit),
    queryFn: ({ signal }) => getImpact(id, limit, signal),
  });
}
