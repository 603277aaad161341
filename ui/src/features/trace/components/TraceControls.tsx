// The trace view's own controls: fit to view, graph or list, and the legend of the graph's marks.

import { useReactFlow } from "@xyflow/react";
import { useState } from "react";
import { FIT_VIEW_OPTIONS } from "../viewport";
import { ICON } from "./TraceNodes";

export function FitViewButton() {
  const { fitView } = useReactFlow();
  return (
    <button type="button" className="button" onClick={() => void fitView(FIT_VIEW_OPTIONS)}>
      Fit to view
    </button>
  );
}

/** Graph or list: shown at once, while the URL (and so `list`) follows when the navigation commits. */
export function ShowAs({ list, onChange }: { list: boolean; onChange: (list: boolean) => void }) {
  const [shown, setShown] = useState(list);
  const [seen, setSeen] = useState(list);
  if (seen !== list) {
    setSeen(list);
    setShown(list);
  }
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Show as</legend>
      {(["graph", "list"] as const).map((value) => (
        <label key={value} className={shown === (value === "list") ? "is-active" : undefined}>
          <input
            type="radio"
            name="trace-view"
            value={value}
            checked={shown === (value === "list")}
            onChange={() => {
              setShown(value === "list");
              onChange(value === "list");
            }}
          />
          {value === "graph" ? "Graph" : "List"}
        </label>
      ))}
    </fieldset>
  );
}

export function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="legend-swatch legend-run" aria-hidden="true" /> run
      </li>
      <li>
        <span className="legend-swatch legend-pointer" aria-hidden="true" /> input or output
      </li>
      <li>
        <span className="legend-swatch legend-group" aria-hidden="true" /> folded siblings
      </li>
      <li>
        <span className="legend-icon status-failed">{ICON.failed}</span> failed
      </li>
      <li>
        <span className="legend-icon status-cached">{ICON.cached}</span> cached
      </li>
      <li>
        <span className="legend-icon is-stale">{ICON.stale}</span> stale
      </li>
      <li>
        <span className="legend-icon is-flagged">{ICON.flagged}</span> flagged
      </li>
      <li>
        <span className="legend-icon is-suspect">{ICON.suspect}</span> suspect
      </li>
      <li>
        <span className="legend-icon is-upstream">{ICON.upstream}</span> flag or failed test
        upstream
      </li>
      <li className="legend-keys">
        <kbd>Tab</kbd> or arrows move, <kbd>Enter</kbd> opens, <kbd>Esc</kbd> closes
      </li>
    </ul>
  );
}
