// "Compare with…" on a trace: asks for a right output's id and opens the diff of this one against it.

import { useId, useState } from "react";
import { useNavigate } from "react-router-dom";
import { paths } from "../../../lib/paths";

export function CompareWith({ outputId }: { outputId: string }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState("");
  const field = useId();
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Compare with…
      </button>
    );
  }
  return (
    <form
      className="row compare-with"
      aria-label="Compare with another output"
      onSubmit={(event) => {
        event.preventDefault();
        const a = other.trim();
        if (a) navigate(paths.diff(a, outputId));
      }}
    >
      <label htmlFor={field}>Compare with</label>
      <input
        id={field}
        type="text"
        // eslint-disable-next-line jsx-a11y/no-autofocus
        autoFocus
        placeholder="a good output id"
        value={other}
        onChange={(event) => setOther(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") setOpen(false);
        }}
      />
      <button type="submit" className="button" disabled={!other.trim()}>
        Compare
      </button>
    </form>
  );
}
