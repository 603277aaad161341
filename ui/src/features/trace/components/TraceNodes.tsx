// The two custom React Flow node kinds of a trace: runs (boxes) and pointers (pills), memoized.
// Zoomed out they draw less (see zoomDetail): one large label, then a bare coloured block.

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, type ReactNode } from "react";
import { useDetail } from "../zoomDetail";
import type { PointerFlowNode, RunFlowNode } from "../traceToFlow";

/**
 * The node's box with its two (invisible) handles, then `children` in full detail, `label` and
 * `marks` when zoomed out, nothing but the box when far out.
 */
function NodeFrame({
  classes,
  title,
  label,
  marks,
  children,
}: {
  classes: string[];
  title?: string;
  label: string;
  marks: ReactNode;
  children: ReactNode;
}) {
  const detail = useDetail();
  return (
    <div className={classes.join(" ")} title={title}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {detail === "full" ? children : null}
      {detail === "label" ? (
        <>
          <span className="trace-node-label">{label}</span>
          {marks}
        </>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** The last part of a path or URL ("events.csv" of "s3://bucket/raw/events.csv"), for short labels. */
function basename(name: string): string {
  const last = name.replace(/\/+$/, "").split("/").pop();
  return last || name;
}

/** A marker dot standing for a badge when the badge's text would be too small to read. */
const Mark = ({ kind }: { kind: "stale" | "flagged" | "failed" }) => (
  <span className={`trace-node-mark mark-${kind}`} aria-label={kind} />
);

const RunNodeView = memo(function RunNodeView({ data, selected }: NodeProps<RunFlowNode>) {
  const { node } = data;
  const stale = node.stale.length > 0;
  const classes = ["trace-node", "trace-node-run", `status-${node.status}`];
  if (stale) classes.push("is-stale");
  if (selected) classes.push("is-selected");
  return (
    <NodeFrame
      classes={classes}
      title={stale ? node.stale.join("\n") : undefined}
      label={node.component}
      marks={
        <>
          {node.status !== "success" ? <Mark kind="failed" /> : null}
          {stale ? <Mark kind="stale" /> : null}
        </>
      }
    >
      <div className="trace-node-title">{node.component}</div>
      <div className="trace-node-meta">
        <span>Run {node.run_id}</span>
        {node.status !== "success" ? (
          <span className="badge badge-danger">{node.status}</span>
        ) : null}
        {stale ? (
          <span className="badge badge-warn" aria-label="stale">
            stale
          </span>
        ) : null}
      </div>
    </NodeFrame>
  );
});

const PointerNodeView = memo(function PointerNodeView({
  data,
  selected,
}: NodeProps<PointerFlowNode>) {
  const { node, isRoot } = data;
  const classes = ["trace-node", "trace-node-pointer", `type-${node.type}`];
  if (node.flagged) classes.push("is-flagged");
  if (isRoot) classes.push("is-root");
  if (selected) classes.push("is-selected");
  return (
    <NodeFrame
      classes={classes}
      title={node.name}
      label={basename(node.name)}
      marks={node.flagged ? <Mark kind="flagged" /> : null}
    >
      <span className="trace-node-type" aria-hidden="true">
        {node.type === "model" ? "◆" : node.type === "endpoint" ? "◎" : "▤"}
      </span>
      <span className="trace-node-name">{node.name}</span>
      {node.flagged ? (
        <span className="badge badge-flag" aria-label="flagged">
          flagged
        </span>
      ) : null}
    </NodeFrame>
  );
});

/** Defined once at module level so React Flow never sees a new nodeTypes object. */
export const nodeTypes = { run: RunNodeView, pointer: PointerNodeView };
