// "Flag all N affected": asks for confirmation in a dialog, then flags the impact's endpoint
// outputs in one request and says how many it flagged.

import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../../lib/apiClient";
import { count } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Impact } from "../../../lib/types";
import { useFlagImpact } from "../api/flagImpact";

function ConfirmDialog({
  id,
  impact,
  pending,
  onConfirm,
  onCancel,
}: {
  id: string;
  impact: Impact;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const title = useId();
  const body = useId();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  const toFlag = impact.endpoints - impact.flagged;
  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={title}
        aria-describedby={body}
        className="dialog card"
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
      >
        <h2 id={title}>Flag {count(impact.endpoints, "affected output")}?</h2>
        <p id={body}>
          Every endpoint output downstream of <span className="mono break">{id}</span> will be
          flagged as bad: {toFlag} not flagged yet, {impact.flagged} already are (they keep their
          reason). The review then ranks the runs that may have caused them.
        </p>
        <div className="row dialog-buttons">
          <button
            ref={confirm}
            type="button"
            className="button button-danger"
            disabled={pending}
            onClick={onConfirm}
          >
            {pending ? "Flagging…" : `Flag ${count(impact.endpoints, "output")}`}
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

export function FlagAllButton({ id, impact }: { id: string; impact: Impact }) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const mutation = useFlagImpact();
  const close = () => {
    setOpen(false);
    opener.current?.focus();
  };
  return (
    <div className="impact-flag">
      <button
        ref={opener}
        type="button"
        className="button button-danger"
        disabled={impact.endpoints === 0}
        onClick={() => {
          mutation.reset();
          setOpen(true);
        }}
      >
        Flag all {count(impact.endpoints, "affected output")}
      </button>
      {open ? (
        <ConfirmDialog
          id={id}
          impact={impact}
          pending={mutation.isPending}
          onCancel={close}
          onConfirm={() => mutation.mutate(id, { onSettled: close })}
        />
      ) : null}
      {mutation.isSuccess ? (
        <p role="status" className="impact-flagged">
          Flagged {count(mutation.data.flagged, "output")}
          {mutation.data.flagged === 0 ? " (all already were)" : ""}.{" "}
          <Link to={paths.review()}>See the review</Link>
        </p>
      ) : null}
      {mutation.isError ? (
        <p role="alert" className="error-text">
          Could not flag them: {errorMessage(mutation.error)}
        </p>
      ) : null}
    </div>
  );
}
