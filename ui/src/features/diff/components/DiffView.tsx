// The diff view (/diff/:a/:b?node=&rank=): both traces as one graph, the runs that differ
// highlighted and the rest muted, beside the ranked differences; picking either selects the other.

import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { count } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Trace, TraceDiff } from "../../../lib/types";
import { usePathSegment } from "../../../lib/usePathSegment";
import { useTrace } from "../../trace/api/getTrace";
import { FitViewButton } from "../../trace/components/TraceControls";
import { TraceGraph } from "../../trace/components/TraceGraph";
import { useTraceSearch } from "../../trace/hooks/useTraceSearch";
import { buildViewGraph } from "../../trace/viewGraph";
import { useDiff } from "../api/getDiff";
import { mergeTraces, nodeOfDifference } from "../mergeTraces";
import { DifferenceList } from "./DifferenceList";

const upstream = (outputId: string) => ({
  outputId,
  direction: "upstream" as const,
  depth: null,
});

export function DiffView() {
  const a = usePathSegment(2);
  const b = usePathSegment(3);
  const diff = useDiff(a, b);
  const traceA = useTrace(upstream(a));
  const traceB = useTrace(upstream(b));
  const failed = [diff, traceA, traceB].find((query) => query.isError);

  return (
    <ReactFlowProvider>
      <div className="view view-wide trace-view diff-view">
        <h1 className="break">
          Diff of <span className="mono">{b}</span> against <span className="mono">{a}</span>
        </h1>
        {failed ? (
          <ErrorMessage error={failed.error} />
        ) : diff.data && traceA.data && traceB.data ? (
          <DiffShown key={`${a}\n${b}`} diff={diff.data} a={traceA.data} b={traceB.data} />
        ) : (
          <Loading label="Comparing the traces…" />
        )}
      </div>
    </ReactFlowProvider>
  );
}

function DiffShown({ diff, a, b }: { diff: TraceDiff; a: Trace; b: Trace }) {
  const { searchParams, update } = useTraceSearch();
  const merged = useMemo(() => mergeTraces(a, b, diff), [a, b, diff]);
  const selectedId = searchParams.get("node");
  const rankText = searchParams.get("rank");
  const selectedRank = rankText && /^\d+$/.test(rankText) ? Number(rankText) : null;
  const selected = merged.trace.nodes.find((node) => node.id === selectedId) ?? null;
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const view = useMemo(
    () =>
      buildViewGraph(merged.trace, {
        expanded,
        keep: new Set(selected ? [selected.id, a.root] : [a.root]),
        highlight: { nodes: merged.differing, label: "differs" },
      }),
    [merged, selected, a.root, expanded],
  );
  const nodeOf = useCallback(
    (difference: TraceDiff["differences"][number]) => nodeOfDifference(difference, merged.trace),
    [merged],
  );
  const onSelect = useCallback(
    (id: string | null) => update({ node: id, rank: null }, true),
    [update],
  );
  const shared = diff.pairs.filter((pair) => pair.shared).length;

  return (
    <>
      <div className="toolbar">
        <FitViewButton />
        <p className="muted trace-summary" aria-live="polite">
          {diff.identical
            ? "The two traces are the same."
            : `${count(diff.differences.length, "difference")} · ${count(merged.differing.size, "node")} highlighted`}{" "}
          · {count(diff.pairs.length, "run")} paired ({shared} the same) · only in A:{" "}
          {diff.only_a.length}, only in B: {diff.only_b.length}
        </p>
      </div>
      <div className="diff-layout">
        <div className="trace-canvas diff-canvas">
          <TraceGraph
            view={view}
            selectedId={selected ? (view.shownAs.get(selected.id) ?? null) : null}
            onSelect={onSelect}
            onExpand={(group) => setExpanded((open) => new Set([...open, group]))}
          />
        </div>
        <aside className="diff-panel" aria-labelledby="diff-differences">
          <h2 id="diff-differences">Differences</h2>
          {selected ? (
            <p className="diff-selected">
              Selected:{" "}
              {selected.kind === "run" ? (
                <Link to={paths.inspect(selected.run_id)}>
                  {selected.component} · Run {selected.run_id}
                </Link>
              ) : (
                <Link to={paths.trace(selected.name)}>{selected.name}</Link>
              )}{" "}
              {merged.differing.has(selected.id) ? "(differs)" : "(the same in both)"}
            </p>
          ) : null}
          {diff.differences.length === 0 ? (
            <Empty>No difference: every run is paired and no pair differs.</Empty>
          ) : (
            <DifferenceList
              differences={diff.differences}
              selectedRank={selectedRank}
              selectedNode={selected?.id ?? null}
              nodeOf={nodeOf}
              onSelect={(difference) =>
                update({ node: nodeOf(difference), rank: String(difference.rank) }, true)
              }
            />
          )}
        </aside>
      </div>
      <ul className="legend" aria-label="Legend">
        <li>
          <span className="legend-swatch legend-differs" aria-hidden="true" /> differs (B&apos;s
          side), or only in B
        </li>
        <li>
          <span className="legend-swatch legend-same" aria-hidden="true" /> the same in both, or
          A&apos;s side
        </li>
      </ul>
    </>
  );
}
