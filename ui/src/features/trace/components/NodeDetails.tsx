// The side panel beside the trace graph: the selected run's card or the selected pointer's details.

import { Link } from "react-router-dom";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { FlaggedBadge } from "../../../components/StatusBadge";
import { paths } from "../../../lib/paths";
import type { PointerNode, RunNode, TraceNode } from "../../../lib/types";
import { FlagToggle } from "../../flags/components/FlagToggle";
import { useRun } from "../../inspect/api/getRun";
import { RunCard } from "../../inspect/components/RunCard";

function RunDetails({ node }: { node: RunNode }) {
  const run = useRun(node.run_id);
  return (
    <>
      <h2>
        {node.component} · Run {node.run_id}
      </h2>
      <p>
        <Link to={paths.inspect(node.run_id)}>Open the run page</Link>
      </p>
      {run.isPending ? (
        <Loading label="Loading run…" />
      ) : run.isError ? (
        <ErrorMessage error={run.error} />
      ) : (
        <RunCard run={run.data} codeOpen={false} />
      )}
    </>
  );
}

function PointerDetails({ node }: { node: PointerNode }) {
  return (
    <>
      <h2 className="break">{node.name}</h2>
      <dl className="facts">
        <dt>Type</dt>
        <dd>
          <span className={`type type-${node.type}`}>{node.type}</span>
        </dd>
        <dt>Flag</dt>
        <dd className="row">
          {node.flagged ? <FlaggedBadge /> : <span className="muted">not flagged</span>}
          <FlagToggle outputId={node.name} flagged={node.flagged} />
        </dd>
      </dl>
      <ul className="link-list">
        <li>
          <Link to={paths.trace(node.name)}>Trace upstream from {node.name}</Link>
        </li>
        <li>
          <Link to={paths.trace(node.name, { direction: "downstream" })}>
            Trace downstream from {node.name}
          </Link>
        </li>
      </ul>
    </>
  );
}

/** The dot a node shows instead of a badge when the graph is zoomed out. */
const LegendDot = ({ kind }: { kind: string }) => (
  <span className={`legend-dot mark-${kind}`} aria-hidden="true" />
);

export function NodeDetails({
  node,
  onClose,
}: {
  node: TraceNode | undefined;
  onClose: () => void;
}) {
  if (!node) {
    return (
      <div className="panel-empty">
        <h2>Details</h2>
        <p className="muted">Select a run or a pointer in the graph to see its details here.</p>
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="legend-swatch legend-run" aria-hidden="true" /> component run
          </li>
          <li>
            <span className="legend-swatch legend-pointer" aria-hidden="true" /> input or output
          </li>
          <li>
            <span className="badge badge-danger">failed</span> <LegendDot kind="failed" /> run
            failed
          </li>
          <li>
            <span className="badge badge-warn">stale</span> <LegendDot kind="stale" /> run read
            outdated inputs
          </li>
          <li>
            <span className="badge badge-flag">flagged</span> <LegendDot kind="flagged" /> output
            marked bad
          </li>
        </ul>
      </div>
    );
  }
  return (
    <div className="panel-details">
      <button type="button" className="button button-ghost panel-close" onClick={onClose}>
        Close details
      </button>
      {node.kind === "run" ? <RunDetails node={node} /> : <PointerDetails node={node} />}
    </div>
  );
}
