// The graph views, loaded together when the first graph is opened (see app/LazyTraceView).

export { RunDownstreamView } from "./RunDownstreamView";
export { TraceView } from "./TraceView";
export { DiffView } from "../../diff/components/DiffView";
