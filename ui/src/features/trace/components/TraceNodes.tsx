// The two custom React Flow node kinds of a trace: runs (boxes) and pointers (pills), memoized.

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { PointerFlowNode, RunFlowNode } from "../traceToFlow";

const RunNodeView = memo(function RunNodeView({ data, selected }: NodeProps<RunFlowNode>) {
  const { node } = data;
  const stale = node.stale.length > 0;
  const classes = ["trace-node", "trace-node-run", `status-${node.status}`];
  if (stale) classes.push("is-stale");
  if (selected) classes.push("is-selected");
  return (
    <div className={classes.join(" ")} title={stale ? node.stale.join("\n") : undefined}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
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
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
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
    <div className={classes.join(" ")} title={node.name}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="trace-node-type" aria-hidden="true">
        {node.type === "model" ? "◆" : node.type === "endpoint" ? "◎" : "▤"}
      </span>
      <span className="trace-node-name">{node.name}</span>
      {node.flagged ? (
        <span className="badge badge-flag" aria-label="flagged">
          flagged
        </span>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

/** Defined once at module level so React Flow never sees a new nodeTypes object. */
export const nodeTypes = { run: RunNodeView, pointer: PointerNodeView };
