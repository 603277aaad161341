// The downstream view of a run (/downstream/:id?depth=&node=&view=&suspect=): what its outputs fed,
// as one graph rooted at the run. From the review, the run is the suspect, and its paths to the
// flagged outputs are highlighted.

import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Link, useParams } from "react-router-dom";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { paths } from "../../../lib/paths";
import { parseDepth } from "../api/getTrace";
import { useRunDownstream } from "../api/getRunDownstream";
import { useTraceSearch } from "../hooks/useTraceSearch";
import { TraceCanvas } from "./TraceCanvas";
import { DepthField } from "./TraceView";

export function RunDownstreamView() {
  const { id = "" } = useParams();
  const runId = /^\d+$/.test(id) ? Number(id) : null;
  const { searchParams, update } = useTraceSearch();
  const depth = parseDepth(searchParams.get("depth"));
  const downstream = useRunDownstream(runId, depth);
  const { run, trace } = downstream;

  const toolbar = (
    <DepthField
      key={`${id}:depth`}
      depth={depth}
      onChange={(next) => update({ depth: next ? String(next) : null, node: null }, true)}
    />
  );

  return (
    <ReactFlowProvider>
      <div className="view view-wide trace-view">
        <h1 className="break">
          Downstream of {run ? `${run.component} · Run ${run.id}` : `Run ${id}`}
        </h1>
        {run ? (
          <p className="trace-note">
            <Link to={paths.inspect(run.id)}>Run page</Link>
            {downstream.followed < downstream.outputs
              ? ` · Following the first ${downstream.followed} of its ${downstream.outputs} outputs (flagged ones first).`
              : ""}
          </p>
        ) : null}
        <TraceCanvas
          trace={trace}
          traceKey={`${id}\n${depth}`}
          placeholder={
            runId === null ? (
              <ErrorMessage
                error={new Error(`"${id}" is not a run id: run ids are whole numbers.`)}
              />
            ) : downstream.error ? (
              <ErrorMessage error={downstream.error} />
            ) : (
              <Loading label="Tracing…" />
            )
          }
          fetching={downstream.isFetching}
          lead="Downstream"
          toolbar={toolbar}
        />
      </div>
    </ReactFlowProvider>
  );
}
