// The trace as an indented list, from the root along the trace's direction, as the command line
// prints it: every run and pointer a button that opens its details; a node reached again is named
// once more and marked "see above" instead of repeating what lies beyond it.

import { useMemo, type ReactNode } from "react";
import type { Trace, TraceNode } from "../../../lib/types";
import { upstreamTrouble } from "../traceToFlow";
import { ICON, statusIcon } from "./TraceNodes";

/** " ⤒ flag upstream" after a node with suspect marks, the reasons on hover. */
function Upstream({ node }: { node: TraceNode }) {
  const word = upstreamTrouble(node.suspect);
  if (!word) return null;
  return (
    <span
      className="trace-node-upstream"
      title={(node.suspect ?? []).map((m) => m.reason).join("\n")}
    >
      {" "}
      {ICON.upstream} {word}
    </span>
  );
}

const collator = new Intl.Collator("en", { numeric: true });

function Label({ node, suspect, onPath }: { node: TraceNode; suspect: boolean; onPath: boolean }) {
  const marks: ReactNode[] = [];
  if (node.kind === "run") {
    return (
      <>
        <span className="trace-list-main">{node.component}</span> · Run {node.run_id}{" "}
        <span className={`trace-node-status status-${node.status}`}>
          {statusIcon(node.status)} {node.status}
        </span>
        <Upstream node={node} />
        {node.stale.length > 0 ? (
          <span className="trace-node-stale"> {ICON.stale} stale</span>
        ) : null}
        {suspect ? (
          <span className="trace-node-tag tag-suspect"> {ICON.suspect} suspect</span>
        ) : null}
        {onPath ? <span className="sr-only"> (on the highlighted path)</span> : null}
      </>
    );
  }
  if (node.flagged)
    marks.push(
      <span key="f" className="trace-node-flagged">
        {" "}
        {ICON.flagged} flagged
      </span>,
    );
  return (
    <>
      <span aria-hidden="true">{ICON[node.type] ?? ICON.unknown} </span>
      <span className="trace-list-main mono">{node.name}</span>{" "}
      <span className="muted">{node.type}</span>
      {marks}
      <Upstream node={node} />
      {onPath ? <span className="sr-only"> (on the highlighted path)</span> : null}
    </>
  );
}

export function TraceList({
  trace,
  selectedId,
  onSelect,
  suspect,
  path,
}: {
  trace: Trace;
  selectedId: string | null;
  onSelect: (id: string) => void;
  suspect: string | null;
  path: ReadonlySet<string> | null;
}) {
  const { byId, children } = useMemo(() => {
    const byId = new Map(trace.nodes.map((node) => [node.id, node]));
    const children = new Map<string, string[]>();
    for (const { source, target } of trace.edges) {
      const [parent, child] = trace.direction === "upstream" ? [target, source] : [source, target];
      if (byId.has(parent) && byId.has(child))
        children.set(parent, [...(children.get(parent) ?? []), child]);
    }
    for (const list of children.values()) list.sort(collator.compare);
    return { byId, children };
  }, [trace]);

  // Depth-first, each node expanded where it first appears (iteratively: lineages can be deep).
  const items = useMemo(() => {
    const out: { id: string; depth: number; again: boolean }[] = [];
    const seen = new Set<string>();
    const stack = byId.has(trace.root) ? [{ id: trace.root, depth: 0 }] : [];
    while (stack.length > 0) {
      const { id, depth } = stack.pop()!;
      const again = seen.has(id);
      out.push({ id, depth, again });
      if (again) continue;
      seen.add(id);
      const next = children.get(id) ?? [];
      for (let i = next.length - 1; i >= 0; i--) stack.push({ id: next[i]!, depth: depth + 1 });
    }
    return out;
  }, [byId, children, trace.root]);

  return (
    <ol className="trace-list" aria-label="Trace as a list">
      {items.map(({ id, depth, again }, index) => {
        const node = byId.get(id)!;
        return (
          <li
            key={`${id}#${index}`}
            className={path ? (path.has(id) ? "on-path" : "off-path") : undefined}
            style={{ paddingLeft: `${Math.min(depth, 30) * 18}px` }}
          >
            <button
              type="button"
              className="trace-list-node"
              aria-current={id === selectedId ? "true" : undefined}
              onClick={() => onSelect(id)}
            >
              {depth > 0 ? (
                <span className="trace-list-arrow" aria-hidden="true">
                  ↳{" "}
                </span>
              ) : null}
              <Label node={node} suspect={id === suspect} onPath={Boolean(path?.has(id))} />
              {again ? <span className="muted"> (see above)</span> : null}
              {depth > 30 ? <span className="muted"> (level {depth})</span> : null}
            </button>
          </li>
        );
      })}
    </ol>
  );
}
