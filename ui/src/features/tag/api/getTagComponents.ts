// GET /tags/{tag}/components: the components carrying a tag, each with its recent runs.

import { useQuery } from "@tanstack/react-query";
import { apiRequest, seg } from "../../../lib/apiClient";
import type { TagComponents } from "../../../lib/types";

export const tagComponentsKey = (tag: string) => ["tags", tag, "components"] as const;

export function getTagComponents(tag: string, signal?: AbortSignal) {
  return apiRequest<TagComponents>(`/tags/${seg(tag)}/components`, { signal });
}

export function useTagComponents(tag: string) {
  return useQuery({
    queryKey: tagComponentsKey(tag),
    queryFn: ({ signal }) => getTagComponents(tag, signal),
  });
}
