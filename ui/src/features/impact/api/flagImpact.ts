// POST /impact/flags: flags every endpoint output of an impact not flagged yet, in one transaction.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/apiClient";

export function flagImpact(id: string) {
  return apiRequest<{ flagged: number }>("/impact/flags", { method: "POST", body: { id } });
}

/** Flags an impact's outputs; flags show in every view (traces, review, impact), so all queries refresh. */
export function useFlagImpact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => flagImpact(id),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
