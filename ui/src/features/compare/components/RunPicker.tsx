// Ticking runs in a list to compare them: the ticks' state, a checkbox per run and the button that
// opens the compare view with the ticked runs in the list's order.

import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { paths } from "../../../lib/paths";
import { MAX_COMPARED, MIN_COMPARED } from "../api/getComparison";
import "../compare.css";

export interface RunPicks {
  picked: ReadonlySet<number>;
  toggle: (runId: number) => void;
  clear: () => void;
}

export function useRunPicks(): RunPicks {
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());
  return {
    picked,
    toggle: (runId) =>
      setPicked((before) => {
        const next = new Set(before);
        if (!next.delete(runId)) next.add(runId);
        return next;
      }),
    clear: () => setPicked(new Set()),
  };
}

/** A run's checkbox; ticking it does not open the run (the row's click does). */
export function PickCell({ runId, picks }: { runId: number; picks: RunPicks }) {
  return (
    <td className="history-pick" onClick={(event) => event.stopPropagation()}>
      <input
        type="checkbox"
        aria-label={`Compare run ${runId}`}
        checked={picks.picked.has(runId)}
        onChange={() => picks.toggle(runId)}
      />
    </td>
  );
}

/** "Compare N runs", enabled for 2 to 50 ticked runs; `order` is the list's run ids as shown. */
export function CompareButton({ picks, order }: { picks: RunPicks; order: readonly number[] }) {
  const navigate = useNavigate();
  const ids = order.filter((id) => picks.picked.has(id));
  const usable = ids.length >= MIN_COMPARED && ids.length <= MAX_COMPARED;
  return (
    <div className="history-compare">
      <button
        type="button"
        className="button"
        disabled={!usable}
        onClick={() => navigate(paths.compare(ids))}
      >
        Compare {ids.length} runs
      </button>
      <span className="muted">
        {ids.length < MIN_COMPARED
          ? `Tick ${MIN_COMPARED} to ${MAX_COMPARED} runs to compare them.`
          : ids.length > MAX_COMPARED
            ? `At most ${MAX_COMPARED} runs at a time.`
            : null}
      </span>
      {ids.length > 0 ? (
        <button type="button" className="button button-ghost button-small" onClick={picks.clear}>
          Clear
        </button>
      ) : null}
    </div>
  );
}
