// A trace shown whole: a one-line summary, the graph (or the list), the legend, and the selected
// node's details over the graph's right side. The selected node, list view and suspect live in
// the URL (?node=run:42&view=list&suspect=run:20); opened groups last as long as the view.

import { useCallback, useMemo, useState, type ReactNode } from "react";
import { count } from "../../../lib/format";
import { useMediaQuery } from "../../../lib/useMediaQuery";
import type { Trace } from "../../../lib/types";
import { useTraceSearch } from "../hooks/useTraceSearch";
import { buildViewGraph, isGroup } from "../viewGraph";
import { NodeDetails } from "./NodeDetails";
import { FitViewButton, Legend, ShowAs } from "./TraceControls";
import { TraceGraph } from "./TraceGraph";
import { TraceList } from "./TraceList";
import { ICON } from "./TraceNodes";

/** Width of the details panel where it covers the graph, plus its margin; where it does (CSS too). */
const PANEL_COVER = 400;
const PANEL_OVER_GRAPH = "(min-width: 901px)";

/**
 * The view's `toolbar` (kept mounted while the trace changes, so that typing in it keeps the
 * focus), then the trace, or `placeholder` while there is none (loading, an error).
 */
export function TraceCanvas({
  trace,
  traceKey,
  placeholder,
  fetching,
  lead,
  toolbar,
}: {
  trace: Trace | undefined;
  /** Names the trace shown (output, direction, depth): opened groups belong to one. */
  traceKey: string;
  placeholder: ReactNode;
  fetching: boolean;
  /** How the summary starts: "Upstream", "Downstream". */
  lead: string;
  /** The view's own controls, before the graph/list switch. */
  toolbar: ReactNode;
}) {
  const shown = trace && trace.nodes.length > 0 ? trace : undefined;
  return (
    <>
      {shown ? (
        <TraceShown
          trace={shown}
          traceKey={traceKey}
          fetching={fetching}
          lead={lead}
          toolbar={toolbar}
        />
      ) : (
        <>
          <div className="toolbar">{toolbar}</div>
          {placeholder}
        </>
      )}
    </>
  );
}

function TraceShown({
  trace,
  traceKey,
  fetching,
  lead,
  toolbar,
}: {
  trace: Trace;
  traceKey: string;
  fetching: boolean;
  lead: string;
  toolbar: ReactNode;
}) {
  const { searchParams, update } = useTraceSearch();
  const selectedId = searchParams.get("node");
  const list = searchParams.get("view") === "list";
  const suspect = searchParams.get("suspect");
  const [opened, setOpened] = useState<{ key: string; groups: ReadonlySet<string> }>({
    key: traceKey,
    groups: new Set(),
  });
  const expanded = useMemo(
    () => (opened.key === traceKey ? opened.groups : new Set<string>()),
    [opened, traceKey],
  );
  const setExpanded = useCallback(
    (change: (groups: ReadonlySet<string>) => ReadonlySet<string>) =>
      setOpened((current) => ({
        key: traceKey,
        groups: change(current.key === traceKey ? current.groups : new Set()),
      })),
    [traceKey],
  );
  const panelCovers = useMediaQuery(PANEL_OVER_GRAPH);

  const selected = useMemo(
    () => trace.nodes.find((node) => node.id === selectedId),
    [trace, selectedId],
  );
  const view = useMemo(
    () =>
      buildViewGraph(trace, {
        expanded,
        keep: selected ? new Set([selected.id]) : undefined,
        suspect: trace.nodes.some((n) => n.id === suspect) ? suspect : null,
      }),
    [trace, expanded, selected, suspect],
  );
  const counts = useMemo(() => {
    const { nodes } = trace;
    return {
      runs: nodes.filter((n) => n.kind === "run").length,
      pointers: nodes.filter((n) => n.kind === "pointer").length,
      stale: nodes.filter((n) => n.kind === "run" && n.stale.length > 0).length,
      flagged: nodes.filter((n) => n.kind === "pointer" && n.flagged).length,
    };
  }, [trace]);
  const groups = view.nodes.filter(isGroup).length;
  const suspectNode = trace.nodes.find((n) => n.id === suspect);

  const onSelect = useCallback((id: string | null) => update({ node: id }, true), [update]);
  const onExpand = useCallback(
    (groupId: string) => setExpanded((open) => new Set([...open, groupId])),
    [setExpanded],
  );

  return (
    <>
      <div className="toolbar">
        {toolbar}
        <ShowAs list={list} onChange={(next) => update({ view: next ? "list" : null }, true)} />
        {list ? null : <FitViewButton />}
        {!list && expanded.size > 0 ? (
          <button type="button" className="button" onClick={() => setExpanded(() => new Set())}>
            Fold siblings again
          </button>
        ) : null}
        <p className="muted trace-summary" aria-live="polite">
          {lead}: {count(counts.runs, "run")},{" "}
          {count(counts.pointers, "input or output", "inputs and outputs")}
          {counts.stale > 0 ? `, ${counts.stale} stale` : ""}
          {counts.flagged > 0 ? `, ${counts.flagged} flagged` : ""}
          {groups > 0 && !list ? ` · ${count(groups, "group", "groups")} of siblings folded` : ""}
          {fetching ? " · updating…" : ""}
        </p>
      </div>

      {suspect ? (
        <p className="trace-suspect" role="note">
          {suspectNode?.kind === "run" ? (
            <>
              <span aria-hidden="true">{ICON.suspect} </span>
              Highlighted: suspect{" "}
              <strong>
                {suspectNode.component} · Run {suspectNode.run_id}
              </strong>{" "}
              and its paths to the flagged outputs it feeds
              {view.path && view.path.size > 1 ? "" : " (it feeds none in this graph)"}.
            </>
          ) : (
            <>The suspect run ({suspect.replace(/^run:/, "Run ")}) is not in this trace.</>
          )}
        </p>
      ) : null}
      <div className={`trace-layout${selected ? " has-panel" : ""}`}>
        <div className="trace-canvas">
          {list ? (
            <TraceList
              trace={trace}
              selectedId={selectedId}
              onSelect={onSelect}
              suspect={view.suspect}
              path={view.tracePath}
            />
          ) : (
            <TraceGraph
              view={view}
              selectedId={selected ? (view.shownAs.get(selected.id) ?? null) : null}
              onSelect={onSelect}
              onExpand={onExpand}
              panelCover={panelCovers ? PANEL_COVER : 0}
            />
          )}
        </div>
        {selected ? (
          <aside className="trace-panel" aria-label="Node details">
            <NodeDetails node={selected} onClose={() => onSelect(null)} />
          </aside>
        ) : null}
      </div>
      {list ? null : <Legend />}
    </>
  );
}
