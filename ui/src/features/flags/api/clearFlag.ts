// DELETE /flags/{output_id}: removes an output's flag (idempotent).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { Pointer } from "../../../lib/types";

export function clearFlag(outputId: string) {
  return apiRequest<Pointer>(`/flags/${seg(outputId)}`, { method: "DELETE" });
}

/** Unflags an output; every cached view may show the flag, so all queries are refreshed. */
export function useClearFlag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (outputId: string) => clearFlag(outputId),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
