// Small trace-shaped graphs for unit tests: a pipeline, a diamond, and a large generated lineage.

import type { LayoutEdge, LayoutNode } from "../lib/layoutGraph";

export interface TestGraph {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

/** raw.csv → ingest → clean.csv → clean → features → train → model.pkl, as a trace would give it. */
export function pipelineGraph(): TestGraph {
  const ids = [
    "pointer:raw.csv",
    "run:1",
    "pointer:data/clean.csv",
    "run:2",
    "pointer:data/features.parquet",
    "run:3",
    "pointer:models/model.pkl",
  ];
  const nodes = ids.map((id) => ({ id, width: id.startsWith("run:") ? 200 : 180, height: 48 }));
  const edges = ids.slice(1).map((target, i) => ({ source: ids[i] as string, target }));
  return { nodes, edges };
}

/** Two inputs feeding one run that writes two outputs, each read by its own run. */
export function diamondGraph(): TestGraph {
  const nodes = ["pointer:a", "pointer:b", "run:1", "pointer:c", "pointer:d", "run:2", "run:3"].map(
    (id) => ({ id }),
  );
  const edges = [
    { source: "pointer:a", target: "run:1" },
    { source: "pointer:b", target: "run:1" },
    { source: "run:1", target: "pointer:c" },
    { source: "run:1", target: "pointer:d" },
    { source: "pointer:c", target: "run:2" },
    { source: "pointer:d", target: "run:3" },
  ];
  return { nodes, edges };
}

/**
 * A layered lineage of `layers` runs stages, each stage `width` runs wide; every run reads the
 * outputs of two runs of the previous stage and writes one pointer. About 2·layers·width nodes.
 */
export function largeLineage(layers: number, width: number): TestGraph {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      const run = `run:${layer * width + i}`;
      const out = `pointer:out-${layer}-${i}`;
      nodes.push({ id: run, width: 200, height: 64 }, { id: out, width: 180, height: 44 });
      edges.push({ source: run, target: out });
      if (layer > 0) {
        edges.push({ source: `pointer:out-${layer - 1}-${i}`, target: run });
        edges.push({ source: `pointer:out-${layer - 1}-${(i + 1) % width}`, target: run });
      }
    }
  }
  return { nodes, edges };
}
