// The commands typed so far, oldest first, kept in localStorage across visits.

import { useCallback, useState } from "react";

const STORAGE_KEY = "mltrace.commandHistory";
export const HISTORY_SIZE = 100;

function load(): string[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** Adds a line at the end, dropping an earlier copy of it and the oldest beyond the size limit. */
export function appendHistory(entries: readonly string[], line: string): string[] {
  return [...entries.filter((entry) => entry !== line), line].slice(-HISTORY_SIZE);
}

export function useCommandHistory() {
  const [entries, setEntries] = useState<string[]>(load);

  const push = useCallback((line: string) => {
    setEntries((current) => {
      const next = appendHistory(current, line);
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // Without storage the history lasts for this page only.
      }
      return next;
    });
  }, []);

  return { entries, push };
}
