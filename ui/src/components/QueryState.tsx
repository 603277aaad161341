// Loading, error and empty placeholders that every view shows in place of its content.

import type { ReactNode } from "react";
import { errorMessage } from "../lib/apiClient";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorMessage(error)}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}
