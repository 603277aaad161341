// PUT /runs/{run_id}/notes: replaces a run's notes and answers the updated run.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { Run, RunDetail } from "../../../lib/types";
import { runKey } from "./getRun";

export function updateNotes(runId: number, notes: string) {
  return apiRequest<Run>(`/runs/${seg(runId)}/notes`, { method: "PUT", body: { notes } });
}

export function useUpdateNotes(runId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (notes: string) => updateNotes(runId, notes),
    onSuccess: (run) => {
      queryClient.setQueryData<RunDetail>(runKey(runId), (old) =>
        old ? { ...old, ...run, component_info: old.component_info } : old,
      );
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      void queryClient.invalidateQueries({ queryKey: ["audit"] });
    },
  });
}
