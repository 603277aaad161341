// GET /flags: every flagged output, with its reason and when it was flagged.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";

export interface Flag {
  output_id: string;
  reason: string | null;
  flagged_at: string | null;
}

export const flagsKey = ["flags"] as const;

export function getFlags(signal?: AbortSignal) {
  return apiRequest<{ flags: Flag[] }>("/flags", { signal });
}

export function useFlags() {
  return useQuery({ queryKey: flagsKey, queryFn: ({ signal }) => getFlags(signal) });
}
