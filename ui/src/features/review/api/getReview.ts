// GET /review?limit=: runs ranked by suspicion for the flagged outputs, and those outputs.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { Review } from "../../../lib/types";

export const REVIEW_LIMIT = 20;

export const reviewKey = (limit: number) => ["review", { limit }] as const;

export function getReview(limit: number, signal?: AbortSignal) {
  return apiRequest<Review>("/review", { query: { limit }, signal });
}

export function useReview(limit = REVIEW_LIMIT) {
  return useQuery({
    queryKey: reviewKey(limit),
    queryFn: ({ signal }) => getReview(limit, signal),
  });
}
