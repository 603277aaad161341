// PUT /flags/{output_id}: flags an output as bad (404 when it was never logged).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { Pointer } from "../../../lib/types";

export function setFlag(outputId: string, reason?: string) {
  return apiRequest<Pointer>(`/flags/${seg(outputId)}`, {
    method: "PUT",
    body: reason ? { reason } : {},
  });
}

/** Flags an output; every cached view may show the flag, so all queries are refreshed. */
export function useSetFlag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ outputId, reason }: { outputId: string; reason?: string }) =>
      setFlag(outputId, reason),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
