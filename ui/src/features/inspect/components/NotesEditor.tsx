// An editable text area for a run's notes, saved with PUT /runs/{id}/notes.

import { useId, useState } from "react";
import { errorMessage } from "../../../lib/apiClient";
import { useUpdateNotes } from "../api/updateNotes";

export function NotesEditor({ runId, notes }: { runId: number; notes: string }) {
  const [draft, setDraft] = useState(notes);
  const update = useUpdateNotes(runId);
  const id = useId();

  // Notes changed on the server replace the draft, unless the user is editing it.
  const [base, setBase] = useState(notes);
  if (notes !== base) {
    setBase(notes);
    if (draft === base) setDraft(notes);
  }

  const dirty = draft !== notes;

  return (
    <form
      className="notes"
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate(draft);
      }}
    >
      <label htmlFor={id}>
        <h3>Notes</h3>
      </label>
      <textarea
        id={id}
        value={draft}
        rows={4}
        onChange={(event) => {
          update.reset();
          setDraft(event.target.value);
        }}
        placeholder="Add notes about this run…"
      />
      <div className="notes-actions">
        <button type="submit" className="button" disabled={!dirty || update.isPending}>
          {update.isPending ? "Saving…" : "Save notes"}
        </button>
        {dirty ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => setDraft(notes)}
            disabled={update.isPending}
          >
            Discard
          </button>
        ) : null}
        <span role="status" className="muted">
          {update.isSuccess && !dirty ? "Saved." : ""}
        </span>
        {update.isError ? (
          <span role="alert" className="inline-error">
            Could not save: {errorMessage(update.error)}
          </span>
        ) : null}
      </div>
    </form>
  );
}
