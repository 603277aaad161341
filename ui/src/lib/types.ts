// The JSON shapes of the mltrace HTTP API (docs/API.md), as TypeScript types.

export type PointerType = "data" | "model" | "endpoint" | "unknown";

export interface RunPointer {
  name: string;
  type: PointerType;
  value_hash: string | null;
  flagged: boolean;
}

export interface TestResult {
  test: string;
  name: string;
  phase: string;
  passed: boolean;
  error: string | null;
}

/** Why a run or output is suspect: a flagged output (`output:<id>`) or a failed test (`run:<id>`) upstream. */
export interface SuspectMark {
  reason: string;
  source: string;
}

export interface Run {
  id: number;
  component: string;
  start: string;
  end: string | null;
  duration_ms: number | null;
  /** `cached`: a step marked cache=True that returned an earlier run's stored result. */
  status: "success" | "failed" | "cached" | string;
  error: string | null;
  /** In lists of runs, a preview (at most 10); the run page has them all. */
  inputs: RunPointer[];
  outputs: RunPointer[];
  /** How many inputs and outputs the run has, whatever `inputs`/`outputs` hold. */
  inputs_count: number;
  outputs_count: number;
  dependencies: number[];
  code_hash: string | null;
  code_snapshot?: string | null;
  git_hash: string | null;
  git_tags: string[];
  notes: string | null;
  params: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  test_results: TestResult[] | null;
  stale: string[];
  /** Only in recent (`GET /runs`) and the run page: why the run is suspect; empty when it is not. */
  suspect?: SuspectMark[];
}

export interface Component {
  name: string;
  owner: string | null;
  description: string | null;
  tags: string[];
}

export interface RunDetail extends Run {
  component_info: Component | null;
  /** Only for a `cached` run: the run whose result it returned (null when that run is not stored). */
  reused_run_id?: number | null;
}

/** An output whose bytes are in the artifact store (GET /artifacts). */
export interface Artifact {
  name: string;
  hash: string;
  size: number;
  serializer: string;
  run_id: number;
  component: string;
  stored_at: string | null;
}

export interface Pointer {
  name: string;
  type: PointerType;
  value_hash: string | null;
  flagged: boolean;
  flag_reason: string | null;
  flagged_at: string | null;
}

export interface RecentRunsPage {
  runs: Run[];
  next: string | number | null;
}

export interface ComponentRuns {
  component: string;
  runs: Run[];
}

export interface TagComponents {
  tag: string;
  components: (Component & { recent_runs: Run[] })[];
}

export interface RunNode {
  id: string;
  kind: "run";
  run_id: number;
  component: string;
  start: string;
  end: string | null;
  status: string;
  stale: string[];
  /** A `cached` run: the run it reused. */
  reused_run_id?: number | null;
  /** Why the run is suspect; empty when it is not. */
  suspect?: SuspectMark[];
}

export interface PointerNode {
  id: string;
  kind: "pointer";
  name: string;
  type: PointerType;
  flagged: boolean;
  /** Why the output is suspect (its writer's marks); empty when it is not. A flag is not a mark. */
  suspect?: SuspectMark[];
}

export type TraceNode = RunNode | PointerNode;

export interface TraceEdge {
  source: string;
  target: string;
}

export type Direction = "upstream" | "downstream";

export interface Trace {
  root: string;
  direction: Direction;
  nodes: TraceNode[];
  edges: TraceEdge[];
}

export type EvidenceKind = "failed_test" | "outlier_metric" | "rare_param";

export interface Evidence {
  kind: EvidenceKind;
  key: string;
  value: unknown;
  usual: unknown;
  message: string;
}

export interface ReviewRun extends Run {
  count: number;
  coverage: number;
  score: number;
  evidence: Evidence[];
}

export interface Review {
  flagged: string[];
  runs: ReviewRun[];
}

export type SearchKind = "component" | "run" | "output" | "tag";

export interface SearchResult {
  kind: SearchKind;
  value: string;
  label: string;
}

/** Two runs, one from each trace of a diff, aligned (`shared`: the same run on both sides). */
export interface DiffPair {
  a_run_id: number;
  b_run_id: number;
  component: string;
  depth: number;
  shared: boolean;
}

export interface UnpairedRun {
  run_id: number;
  component: string;
  depth: number;
}

export type DifferenceKind =
  | "raw_input"
  | "only_in_a"
  | "only_in_b"
  | "code"
  | "params"
  | "git"
  | "stale"
  | "input"
  | "metrics"
  | "status"
  | "tests";

export interface Difference {
  rank: number;
  kind: DifferenceKind | string;
  component: string;
  depth: number;
  a_run_id: number | null;
  b_run_id: number | null;
  key: string | null;
  a: unknown;
  b: unknown;
  change: "added" | "removed" | "changed";
  explained_by: number | null;
  code_diff: string | null;
}

/** GET /diff: the upstream traces of `a` (right) and `b` (wrong) aligned, what differs ranked. */
export interface TraceDiff {
  a: string;
  b: string;
  identical: boolean;
  pairs: DiffPair[];
  only_a: UnpairedRun[];
  only_b: UnpairedRun[];
  differences: Difference[];
}

export interface AffectedOutput {
  output_id: string;
  type: PointerType;
  flagged: boolean;
  run_id: number;
  component: string;
  time: string;
}

/** GET /impact: what is downstream of an output or a run. */
export interface Impact {
  runs: number;
  components: { name: string; runs: number }[];
  endpoints: number;
  flagged: number;
  outputs: AffectedOutput[];
}

/** One point of a run's step series; `value` a number, or "NaN"/"Infinity"/"-Infinity". */
export interface SeriesPoint {
  step: number;
  value: number | string | null;
  logged: string | null;
}

/** GET /runs/{id}/series: a run's step series by key, each in step order. */
export interface RunSeries {
  run_id: number;
  series: Record<string, SeriesPoint[]>;
}
