// A long hash shown short (its first 12 characters, the whole in its tooltip) with a button that
// copies the whole of it: a 64-character code hash does not fit a phone's width.

import { useState } from "react";

export const SHORT_HASH = 12;

/** Copies `text`; false where the page may not write to the clipboard (plain http, old browsers). */
async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function Hash({ value, label }: { value: string | null | undefined; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "shown">("idle");
  if (!value) return <span className="muted">—</span>;
  const shown = state === "shown" ? value : value.slice(0, SHORT_HASH);
  return (
    <span className="hash">
      <code className="hash-value" title={value}>
        {shown}
        {shown.length < value.length ? "…" : ""}
      </code>
      <button
        type="button"
        className="button button-small button-ghost"
        aria-label={`Copy ${label}`}
        onClick={async () => setState((await copy(value)) ? "copied" : "shown")}
      >
        {state === "copied" ? "Copied" : "Copy"}
      </button>
      <span className="sr-only" aria-live="polite">
        {state === "copied"
          ? `${label} copied`
          : state === "shown"
            ? `${label} shown whole: select it to copy`
            : ""}
      </span>
    </span>
  );
}
