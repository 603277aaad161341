// The trace views' URL query (?direction=&depth=&node=&view=&suspect=), read and changed in place.

import { useCallback } from "react";
import { useSearchParams } from "react-router-dom";

/** The query, and `update(changes, replace)`: null removes a key; `replace` adds no history entry. */
export function useTraceSearch() {
  const [searchParams, setSearchParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | null>, replace = false) => {
      setSearchParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value === null) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace },
      );
    },
    [setSearchParams],
  );
  return { searchParams, update };
}
