// The graph the trace view draws: the trace with runs of siblings folded into "N more" groups, and
// the path from a suspect run to the flagged outputs it feeds marked.

import type { PointerNode, RunNode, Trace, TraceNode } from "../../lib/types";

/** Siblings of one kind under the same parents fold into a group when there are at least this many. */
export const FOLD_AT = 4;

export interface GroupNode {
  id: string;
  kind: "group";
  /** The siblings the group stands for (each with what hangs below it alone is hidden too). */
  siblings: TraceNode[];
  /** Every node the group hides: the siblings and what only they lead to. */
  hidden: TraceNode[];
  /** "predict runs", "outputs", "inputs": what the siblings are. */
  noun: string;
  flagged: number;
  failed: number;
  stale: number;
}

export type ViewNode = TraceNode | GroupNode;

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  /** On the path from the suspect to a flagged output. */
  onPath: boolean;
}

export interface ViewGraph {
  root: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Node ids on the path from the suspect run to flagged outputs; null when there is no suspect. */
  path: ReadonlySet<string> | null;
  /** The same path on the trace's own nodes (groups unfolded); null when there is no suspect. */
  tracePath: ReadonlySet<string> | null;
  /** What a node on the path is, said after its name (`highlight`'s label); null for the suspect's path. */
  pathLabel: string | null;
  /** The suspect's node (its group's when it is folded away), if it is in the graph. */
  suspect: string | null;
  /** For each node the trace has, the node that shows it (itself, or its group). */
  shownAs: ReadonlyMap<string, string>;
}

export interface ViewOptions {
  /** Groups the user opened: their siblings are drawn one by one. */
  expanded?: ReadonlySet<string>;
  /** Nodes never folded away (the selected one). The root never is. */
  keep?: ReadonlySet<string>;
  /** A run to highlight with its paths to the flagged outputs (`run:42`), from the review. */
  suspect?: string | null;
  /** Nodes to highlight instead of a suspect's path (the diff's differing runs), and what they are. */
  highlight?: { nodes: ReadonlySet<string>; label: string } | null;
}

const isFlagged = (node: TraceNode) => node.kind === "pointer" && node.flagged;

/** Natural order of ids ("run:9" before "run:10"). */
const collator = new Intl.Collator("en", { numeric: true });

function adjacency(trace: Trace) {
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const node of trace.nodes) {
    out.set(node.id, []);
    into.set(node.id, []);
  }
  for (const { source, target } of trace.edges) {
    if (!out.has(source) || !into.has(target) || source === target) continue;
    out.get(source)!.push(target);
    into.get(target)!.push(source);
  }
  return { out, into };
}

function sortedIds(ids: string[]): string[] {
  return [...new Set(ids)].sort(collator.compare);
}

/**
 * Builds the drawn graph. Walking from the root (against the data for upstream traces, with it
 * for downstream ones), nodes of one kind (runs of one component, pointers of one type) that have
 * the same parents are siblings; FOLD_AT or more of them become one group node, which also hides
 * what hangs below those siblings alone. Nearer groups are formed first; a group the user opened
 * shows its siblings, whose own siblings may fold in turn. The result depends only on the trace
 * and the options. With a suspect, nodes on its path to the flagged outputs and nodes off it are
 * never siblings of each other.
 */
export function buildViewGraph(trace: Trace, options: ViewOptions = {}): ViewGraph {
  const {
    expanded = new Set<string>(),
    keep = new Set<string>(),
    suspect = null,
    highlight = null,
  } = options;
  const byId = new Map(trace.nodes.map((node) => [node.id, node]));
  const { out, into } = adjacency(trace);
  const upstream = trace.direction === "upstream";
  const parentsOf = (id: string) => (upstream ? out : into).get(id) ?? [];
  const childrenOf = (id: string) => (upstream ? into : out).get(id) ?? [];
  const kept = new Set([...keep, trace.root, ...(suspect ? [suspect] : [])]);

  // Breadth-first from the root: the order in which sibling sets are considered.
  const depth = new Map<string, number>();
  const order: string[] = [];
  if (byId.has(trace.root)) {
    depth.set(trace.root, 0);
    order.push(trace.root);
  }
  for (let i = 0; i < order.length; i++) {
    for (const child of sortedIds(childrenOf(order[i]!))) {
      if (!depth.has(child)) {
        depth.set(child, depth.get(order[i]!)! + 1);
        order.push(child);
      }
    }
  }
  for (const node of trace.nodes) if (!depth.has(node.id)) order.push(node.id); // unreachable: kept last

  // With a suspect, siblings on its path and siblings off it fold apart: the highlight stays visible.
  const path = highlight
    ? new Set([...highlight.nodes].filter((id) => byId.has(id)))
    : suspect && byId.has(suspect)
      ? pathToFlagged(suspect, trace, out, into)
      : null;
  const siblingSets = new Map<string, string[]>();
  for (const id of order) {
    const node = byId.get(id)!;
    const parents = sortedIds(parentsOf(id));
    if (id === trace.root || parents.length === 0) continue;
    const kind = node.kind === "run" ? `run:${node.component}` : `pointer:${node.type}`;
    const side = path ? (path.has(id) ? "\non-path" : "\noff-path") : "";
    const key = `${parents.join("\n")}\n${kind}${side}`;
    siblingSets.set(key, [...(siblingSets.get(key) ?? []), id]);
  }

  const hiddenBy = new Map<string, string>(); // node id → group id
  const groups: GroupNode[] = [];
  for (const [key, members] of siblingSets) {
    if (members.length < FOLD_AT) continue;
    const groupId = `group:${key}`;
    if (expanded.has(groupId)) continue;
    const folded: string[][] = [];
    for (const sibling of members) {
      if (hiddenBy.has(sibling)) continue;
      const own = privateBelow(sibling, parentsOf, childrenOf);
      if ([...own].some((id) => kept.has(id) || hiddenBy.has(id))) continue;
      folded.push([...own]);
    }
    if (folded.length < FOLD_AT) continue;
    const hidden = folded.flat().map((id) => byId.get(id)!);
    for (const node of hidden) hiddenBy.set(node.id, groupId);
    const siblings = folded.map((own) => byId.get(own[0]!)!);
    groups.push({
      id: groupId,
      kind: "group",
      siblings,
      hidden,
      noun: groupNoun(siblings[0]!, upstream, siblings.length),
      flagged: hidden.filter(isFlagged).length,
      failed: hidden.filter((n) => n.kind === "run" && n.status === "failed").length,
      stale: hidden.filter((n) => n.kind === "run" && n.stale.length > 0).length,
    });
  }

  const shownAs = new Map(trace.nodes.map((node) => [node.id, hiddenBy.get(node.id) ?? node.id]));
  const shownPath = path ? new Set([...path].map((id) => shownAs.get(id)!)) : null;

  const edges = new Map<string, ViewEdge>();
  for (const { source, target } of trace.edges) {
    const from = shownAs.get(source);
    const to = shownAs.get(target);
    if (!from || !to || from === to) continue;
    const id = `${from}->${to}`;
    const onPath = Boolean(path?.has(source) && path.has(target));
    const known = edges.get(id);
    if (known) known.onPath ||= onPath;
    else edges.set(id, { id, source: from, target: to, onPath });
  }

  const nodes: ViewNode[] = [...trace.nodes.filter((node) => !hiddenBy.has(node.id)), ...groups];
  return {
    root: trace.root,
    nodes,
    edges: [...edges.values()],
    path: shownPath,
    tracePath: path,
    pathLabel: highlight ? highlight.label : null,
    suspect: suspect && shownAs.has(suspect) ? shownAs.get(suspect)! : null,
    shownAs,
  };
}

/** `id` and what only it leads to: nodes all of whose parents are `id` or already among them. */
function privateBelow(
  id: string,
  parentsOf: (id: string) => string[],
  childrenOf: (id: string) => string[],
): Set<string> {
  const own = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const member of [...own]) {
      for (const child of childrenOf(member)) {
        if (!own.has(child) && parentsOf(child).every((parent) => own.has(parent))) {
          own.add(child);
          grew = true;
        }
      }
    }
  }
  return own;
}

/** The nodes on some path (along the data) from `suspect` to a flagged output, and `suspect`. */
function pathToFlagged(
  suspect: string,
  trace: Trace,
  out: Map<string, string[]>,
  into: Map<string, string[]>,
): Set<string> {
  const reach = (starts: string[], next: Map<string, string[]>) => {
    const seen = new Set(starts);
    const stack = [...starts];
    while (stack.length > 0) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return seen;
  };
  const fed = reach([suspect], out);
  const feeding = reach(
    trace.nodes.filter(isFlagged).map((node) => node.id),
    into,
  );
  return new Set([suspect, ...[...fed].filter((id) => feeding.has(id))]);
}

function groupNoun(first: TraceNode, upstream: boolean, count: number): string {
  if (first.kind === "run") return `${first.component} ${count === 1 ? "run" : "runs"}`;
  const noun = upstream ? "input" : "output";
  return count === 1 ? noun : `${noun}s`;
}

export const isRun = (node: ViewNode): node is RunNode => node.kind === "run";
export const isPointer = (node: ViewNode): node is PointerNode => node.kind === "pointer";
export const isGroup = (node: ViewNode): node is GroupNode => node.kind === "group";
