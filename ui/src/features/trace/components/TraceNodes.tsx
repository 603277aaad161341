// The custom React Flow node kinds of a trace: runs (boxes), pointers (pills) and folded groups
// (stacked pills), memoized. Zoomed out they draw less (see zoomDetail): one large label, then a
// bare block. Status, staleness, flags and the suspect each have an icon or a word, not a colour
// alone; the full name shows on hover and on keyboard focus.

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, type ReactNode } from "react";
import { formatTime } from "../../../lib/format";
import { useDetail } from "../zoomDetail";
import type { SuspectMark } from "../../../lib/types";
import {
  upstreamTrouble,
  type GroupFlowNode,
  type PathMark,
  type PointerFlowNode,
  type RunFlowNode,
} from "../traceToFlow";

export const ICON = {
  success: "✓",
  failed: "✕",
  cached: "↺",
  stale: "⚠\uFE0E",
  flagged: "⚑",
  suspect: "◉",
  upstream: "⤒",
  group: "+",
  data: "▤",
  model: "◆",
  endpoint: "◎",
  unknown: "◇",
} as const;

export const statusIcon = (status: string) =>
  status === "success"
    ? ICON.success
    : status === "failed"
      ? ICON.failed
      : status === "cached"
        ? ICON.cached
        : "•";

function pathClass(mark: PathMark): string | null {
  return mark === "on" ? "on-path" : mark === "off" ? "off-path" : null;
}

/**
 * The node's box with its two (invisible) handles, then `children` in full detail, `label` and
 * `marks` when zoomed out, nothing but the box when far out; `tip` (the full name and more) on
 * hover and focus.
 */
function NodeFrame({
  classes,
  label,
  marks,
  tip,
  children,
}: {
  classes: (string | null | false)[];
  label: string;
  marks: ReactNode;
  tip: ReactNode;
  children: ReactNode;
}) {
  const detail = useDetail();
  return (
    <>
      <div className={classes.filter(Boolean).join(" ")}>
        <Handle type="target" position={Position.Top} isConnectable={false} />
        {detail === "full" ? children : null}
        {detail === "label" ? (
          <>
            <span className="trace-node-label">{label}</span>
            {marks}
          </>
        ) : null}
        <Handle type="source" position={Position.Bottom} isConnectable={false} />
      </div>
      {detail === "block" ? null : (
        <div className="trace-node-tip" aria-hidden="true">
          {tip}
        </div>
      )}
    </>
  );
}

/** The reasons of a node's suspect marks, one line each, for its tip. */
const MarkReasons = ({ marks }: { marks: SuspectMark[] | undefined }) => (
  <>
    {(marks ?? []).map((mark) => (
      <span key={mark.source} className="trace-node-tip-warn">
        <br />
        {ICON.upstream} {mark.reason}
      </span>
    ))}
  </>
);

/** An icon standing for a word a zoomed-out node has no room for. */
const Mark = ({ kind }: { kind: "stale" | "flagged" | "failed" | "suspect" | "upstream" }) => (
  <span className={`trace-node-mark mark-${kind}`} aria-hidden="true">
    {ICON[kind]}
  </span>
);

const RunNodeView = memo(function RunNodeView({ data, selected }: NodeProps<RunFlowNode>) {
  const { node, isSuspect, pathMark } = data;
  const stale = node.stale.length > 0;
  const upstream = upstreamTrouble(node.suspect);
  return (
    <NodeFrame
      classes={[
        "trace-node",
        "trace-node-run",
        `status-${node.status}`,
        stale && "is-stale",
        isSuspect && "is-suspect",
        pathClass(pathMark),
        selected && "is-selected",
      ]}
      label={`${node.component} ${node.run_id}`}
      marks={
        <>
          {isSuspect ? <Mark kind="suspect" /> : null}
          {node.status === "failed" ? <Mark kind="failed" /> : null}
          {upstream ? <Mark kind="upstream" /> : null}
          {stale ? <Mark kind="stale" /> : null}
        </>
      }
      tip={
        <>
          <strong>{node.component}</strong> · Run {node.run_id} · {node.status}
          <br />
          Started {formatTime(node.start)}
          {node.stale.map((message) => (
            <span key={message} className="trace-node-tip-warn">
              <br />
              {ICON.stale} {message}
            </span>
          ))}
          <MarkReasons marks={node.suspect} />
        </>
      }
    >
      <div className="trace-node-title">
        <span className="trace-node-component">{node.component}</span>
        {isSuspect ? (
          <span className="trace-node-tag tag-suspect">{ICON.suspect} suspect</span>
        ) : null}
      </div>
      <div className="trace-node-meta">
        <span>Run {node.run_id}</span>
        <span className={`trace-node-status status-${node.status}`}>
          {statusIcon(node.status)} {node.status}
        </span>
        {upstream ? (
          <span className="trace-node-upstream" title={upstream}>
            {ICON.upstream} {upstream === "flag upstream" ? "flag" : "test"}
          </span>
        ) : null}
        {stale ? <span className="trace-node-stale">{ICON.stale} stale</span> : null}
      </div>
    </NodeFrame>
  );
});

const PointerNodeView = memo(function PointerNodeView({
  data,
  selected,
}: NodeProps<PointerFlowNode>) {
  const { node, label, isRoot, pathMark } = data;
  return (
    <NodeFrame
      classes={[
        "trace-node",
        "trace-node-pointer",
        `type-${node.type}`,
        node.flagged && "is-flagged",
        isRoot && "is-root",
        pathClass(pathMark),
        selected && "is-selected",
      ]}
      label={label.name}
      marks={node.flagged ? <Mark kind="flagged" /> : null}
      tip={
        <>
          <span className="trace-node-tip-name">{node.name}</span>
          <br />
          {node.type}
          {node.flagged ? ` · ${ICON.flagged} flagged` : ""}
          <MarkReasons marks={node.suspect} />
        </>
      }
    >
      <span className="trace-node-type" aria-hidden="true">
        {ICON[node.type] ?? ICON.unknown}
      </span>
      <span className="trace-node-text">
        <span className="trace-node-name">{label.name}</span>
        {label.folder ? <span className="trace-node-folder">{label.folder}</span> : null}
      </span>
      {node.flagged ? (
        <span className="trace-node-flag" aria-hidden="true">
          {ICON.flagged}
        </span>
      ) : null}
    </NodeFrame>
  );
});

const GroupNodeView = memo(function GroupNodeView({ data, selected }: NodeProps<GroupFlowNode>) {
  const { group, pathMark } = data;
  const below = group.hidden.length - group.siblings.length;
  const names = group.siblings.map((n) => (n.kind === "run" ? `Run ${n.run_id}` : n.name));
  return (
    <NodeFrame
      classes={[
        "trace-node",
        "trace-node-group",
        group.flagged > 0 && "is-flagged",
        group.failed > 0 && "status-failed",
        pathClass(pathMark),
        selected && "is-selected",
      ]}
      label={`${group.siblings.length} ${group.noun}`}
      marks={group.flagged > 0 ? <Mark kind="flagged" /> : null}
      tip={
        <>
          {names.slice(0, 5).join(", ")}
          {names.length > 5 ? `, +${names.length - 5} more` : ""}
        </>
      }
    >
      <div className="trace-node-title">
        <span aria-hidden="true">{ICON.group} </span>
        {group.siblings.length} {group.noun}
      </div>
      <div className="trace-node-meta">
        {group.flagged > 0 ? (
          <span className="trace-node-flagged">
            {ICON.flagged} {group.flagged} flagged
          </span>
        ) : null}
        {group.failed > 0 ? (
          <span className="trace-node-status status-failed">
            {ICON.failed} {group.failed} failed
          </span>
        ) : null}
        {group.stale > 0 ? (
          <span className="trace-node-stale">
            {ICON.stale} {group.stale} stale
          </span>
        ) : null}
        {below > 0 && group.flagged + group.failed + group.stale === 0 ? (
          <span>+{below} more inside</span>
        ) : null}
        <span className="trace-node-hint">show</span>
      </div>
    </NodeFrame>
  );
});

/** Defined once at module level so React Flow never sees a new nodeTypes object. */
export const nodeTypes = { run: RunNodeView, pointer: PointerNodeView, siblings: GroupNodeView };
