// GET /diff?a=&b=: the upstream traces of two outputs aligned run by run, their differences ranked.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { TraceDiff } from "../../../lib/types";

export const diffKey = (a: string, b: string) => ["diff", { a, b }] as const;

export function getDiff(a: string, b: string, signal?: AbortSignal) {
  return apiRequest<TraceDiff>("/diff", { query: { a, b }, signal });
}

export function useDiff(a: string, b: string) {
  return useQuery({ queryKey: diffKey(a, b), queryFn: ({ signal }) => getDiff(a, b, signal) });
}
