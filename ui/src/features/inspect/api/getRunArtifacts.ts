// GET /artifacts?run={run_id}: the outputs of a run whose bytes are in the artifact store.

import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";
import type { Artifact } from "../../../lib/types";

export const runArtifactsKey = (runId: number) => ["runs", "artifacts", runId] as const;

export function getRunArtifacts(runId: number, signal?: AbortSignal) {
  return apiRequest<{ artifacts: Artifact[] }>("/artifacts", { query: { run: runId }, signal });
}

export function useRunArtifacts(runId: number) {
  return useQuery({
    queryKey: runArtifactsKey(runId),
    queryFn: ({ signal }) => getRunArtifacts(runId, signal),
    select: (page) => page.artifacts,
  });
}
