// The trace view (/trace/:id?direction=&depth=&node=&view=&suspect=): an output's lineage graph.

import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useState } from "react";
import { Link } from "react-router-dom";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import type { Direction } from "../../../lib/types";
import { paths } from "../../../lib/paths";
import { usePathSegment } from "../../../lib/usePathSegment";
import { CompareWith } from "../../diff/components/CompareWith";
import { parseDepth, traceSearch, useTrace } from "../api/getTrace";
import { useTraceSearch } from "../hooks/useTraceSearch";
import { TraceCanvas } from "./TraceCanvas";

export function DepthField({
  depth,
  onChange,
}: {
  depth: number | null;
  onChange: (depth: number | null) => void;
}) {
  const [text, setText] = useState(depth ? String(depth) : "");
  // Back/forward change the prop: follow it without remounting (focus stays where it is).
  const [seen, setSeen] = useState(depth);
  if (seen !== depth) {
    setSeen(depth);
    if (parseDepth(text) !== depth) setText(depth ? String(depth) : "");
  }
  return (
    <label className="inline-field">
      Depth
      <input
        type="number"
        min={1}
        step={1}
        placeholder="all"
        value={text}
        className="input-narrow"
        onChange={(event) => {
          setText(event.target.value);
          const next = parseDepth(event.target.value);
          if (next !== null || event.target.value === "") onChange(next);
        }}
      />
    </label>
  );
}

function DirectionSwitch({
  direction,
  onChange,
}: {
  direction: Direction;
  onChange: (direction: Direction) => void;
}) {
  // Shown at once; the URL (and so the prop) follows when the navigation commits.
  const [shown, setShown] = useState(direction);
  const [seen, setSeen] = useState(direction);
  if (seen !== direction) {
    setSeen(direction);
    setShown(direction);
  }
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Direction</legend>
      {(["upstream", "downstream"] as const).map((value) => (
        <label key={value} className={shown === value ? "is-active" : undefined}>
          <input
            type="radio"
            name="direction"
            value={value}
            checked={shown === value}
            onChange={() => {
              setShown(value);
              onChange(value);
            }}
          />
          {value === "upstream" ? "Upstream" : "Downstream"}
        </label>
      ))}
    </fieldset>
  );
}

export function TraceView() {
  const id = usePathSegment(2);
  const { searchParams, update } = useTraceSearch();
  const { direction, depth } = traceSearch(searchParams);
  const query = useTrace({ outputId: id, direction, depth });
  const trace = query.data;

  const toolbar = (
    <>
      <DirectionSwitch
        key={`${id}:direction`}
        direction={direction}
        // A new direction is a new view (back returns to the old one).
        onChange={(next) =>
          update({ direction: next === "upstream" ? null : next, node: null }, false)
        }
      />
      <DepthField
        key={`${id}:depth`}
        depth={depth}
        // Depth edits refine the view in place.
        onChange={(next) => update({ depth: next ? String(next) : null, node: null }, true)}
      />
      <CompareWith key={`${id}:compare`} outputId={id} />
      <Link to={paths.impact(id)}>What did this affect?</Link>
    </>
  );

  return (
    <ReactFlowProvider>
      <div className="view view-wide trace-view">
        <h1 className="break">Trace of {id}</h1>
        <TraceCanvas
          trace={trace}
          // Another output, direction or depth is another graph: opened groups start afresh.
          traceKey={`${id}\n${direction}\n${depth}`}
          placeholder={
            query.isPending ? (
              <Loading label="Tracing…" />
            ) : query.isError ? (
              <ErrorMessage error={query.error} />
            ) : (
              <Empty>Nothing to trace for {id}.</Empty>
            )
          }
          fetching={query.isFetching}
          lead={direction === "upstream" ? "Upstream" : "Downstream"}
          toolbar={toolbar}
        />
      </div>
    </ReactFlowProvider>
  );
}
