// The trace view (/trace/:id?direction=&depth=&node=): the lineage graph with a details panel.

import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { usePathSegment } from "../../../lib/usePathSegment";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import type { Direction } from "../../../lib/types";
import { parseDepth, traceSearch, useTrace } from "../api/getTrace";
import { FIT_VIEW_OPTIONS } from "../hooks/useLayoutedGraph";
import { NodeDetails } from "./NodeDetails";
import { TraceGraph } from "./TraceGraph";

function FitViewButton() {
  const { fitView } = useReactFlow();
  return (
    <button type="button" className="button" onClick={() => void fitView(FIT_VIEW_OPTIONS)}>
      Fit to view
    </button>
  );
}

function TraceToolbar({
  direction,
  depth,
  onChange,
}: {
  direction: Direction;
  depth: number | null;
  onChange: (next: { direction?: Direction; depth?: number | null }) => void;
}) {
  const [depthText, setDepthText] = useState(depth ? String(depth) : "");
  // Shown at once; the URL (and so the prop) follows when the navigation commits.
  const [shownDirection, setShownDirection] = useState(direction);
  // Back/forward change the props: follow them without remounting (focus stays where it is).
  const [seen, setSeen] = useState({ direction, depth });
  if (seen.direction !== direction || seen.depth !== depth) {
    setSeen({ direction, depth });
    setShownDirection(direction);
    if (parseDepth(depthText) !== depth) setDepthText(depth ? String(depth) : "");
  }
  return (
    <div className="toolbar">
      <fieldset className="segmented">
        <legend className="sr-only">Direction</legend>
        {(["upstream", "downstream"] as const).map((value) => (
          <label key={value} className={shownDirection === value ? "is-active" : undefined}>
            <input
              type="radio"
              name="direction"
              value={value}
              checked={shownDirection === value}
              onChange={() => {
                setShownDirection(value);
                onChange({ direction: value });
              }}
            />
            {value === "upstream" ? "Upstream" : "Downstream"}
          </label>
        ))}
      </fieldset>
      <label className="inline-field">
        Depth
        <input
          type="number"
          min={1}
          step={1}
          placeholder="all"
          value={depthText}
          className="input-narrow"
          onChange={(event) => {
            setDepthText(event.target.value);
            const next = parseDepth(event.target.value);
            if (next !== null || event.target.value === "") onChange({ depth: next });
          }}
        />
      </label>
      <FitViewButton />
    </div>
  );
}

export function TraceView() {
  const id = usePathSegment(2);
  const [searchParams, setSearchParams] = useSearchParams();
  const { direction, depth } = traceSearch(searchParams);
  const selectedId = searchParams.get("node");
  const query = useTrace({ outputId: id, direction, depth });

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

  const onSelect = useCallback((nodeId: string | null) => update({ node: nodeId }, true), [update]);
  const trace = query.data;
  const selected = useMemo(
    () => trace?.nodes.find((node) => node.id === selectedId),
    [trace, selectedId],
  );
  const counts = useMemo(() => {
    const nodes = trace?.nodes ?? [];
    return {
      runs: nodes.filter((n) => n.kind === "run").length,
      pointers: nodes.filter((n) => n.kind === "pointer").length,
      stale: nodes.filter((n) => n.kind === "run" && n.stale.length > 0).length,
      flagged: nodes.filter((n) => n.kind === "pointer" && n.flagged).length,
    };
  }, [trace]);

  return (
    <ReactFlowProvider>
      <div className="view view-wide">
        <h1 className="break">Trace of {id}</h1>
        <TraceToolbar
          key={id}
          direction={direction}
          depth={depth}
          onChange={(next) =>
            // A new direction is a new view (back returns); depth edits refine it in place.
            update(
              {
                ...(next.direction
                  ? { direction: next.direction === "upstream" ? null : next.direction }
                  : {}),
                ...(next.depth !== undefined
                  ? { depth: next.depth ? String(next.depth) : null }
                  : {}),
                node: null,
              },
              next.direction === undefined,
            )
          }
        />
        {query.isPending ? (
          <Loading label="Tracing…" />
        ) : query.isError ? (
          <ErrorMessage error={query.error} />
        ) : trace && trace.nodes.length > 0 ? (
          <>
            <p className="muted trace-summary" aria-live="polite">
              {direction === "upstream" ? "Upstream" : "Downstream"}: {counts.runs} runs,{" "}
              {counts.pointers} inputs and outputs
              {counts.stale > 0 ? `, ${counts.stale} stale` : ""}
              {counts.flagged > 0 ? `, ${counts.flagged} flagged` : ""}
              {query.isFetching ? " · updating…" : ""}
            </p>
            <div className="trace-layout">
              <div className="trace-canvas">
                <TraceGraph trace={trace} selectedId={selectedId} onSelect={onSelect} />
              </div>
              <aside className="trace-panel" aria-label="Node details">
                <NodeDetails node={selected} onClose={() => onSelect(null)} />
              </aside>
            </div>
          </>
        ) : (
          <Empty>Nothing to trace for {id}.</Empty>
        )}
      </div>
    </ReactFlowProvider>
  );
}
