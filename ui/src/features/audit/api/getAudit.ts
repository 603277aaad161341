// GET /audit?run_id=: who changed a run (its notes) and the outputs it wrote (their flags), newest first.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target_kind: string;
  target: string;
  before: unknown;
  after: unknown;
}

export const runAuditKey = (runId: number) => ["audit", "run", runId] as const;

export function getRunAudit(runId: number, signal?: AbortSignal) {
  return apiRequest<{ entries: AuditEntry[]; next: string | null }>("/audit", {
    query: { run_id: runId },
    signal,
  });
}

export function useRunAudit(runId: number) {
  return useQuery({
    queryKey: runAuditKey(runId),
    queryFn: ({ signal }) => getRunAudit(runId, signal),
  });
}
