// The React Flow canvas of a trace: laid-out nodes; click, Enter or Space opens a node's card (or
// a group's siblings), the arrow keys move between nodes at any zoom, the view fits the graph.

import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Edge,
  type NodeChange,
} from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from "react";
import { useTheme } from "../../../app/theme";
import { isArrow, nodeTowards } from "../arrowKeys";
import { useGraphLayout, type Layout } from "../hooks/useGraphLayout";
import { viewToFlow, type TraceFlowNode } from "../traceToFlow";
import type { ViewGraph } from "../viewGraph";
import {
  FIT_VIEW_OPTIONS,
  MAX_ZOOM,
  MIN_READABLE_ZOOM,
  MIN_ZOOM,
  READABLE_ZOOM,
  initialViewport,
  isInView,
  type Size,
} from "../viewport";
import { DetailContext, useZoomDetail } from "../zoomDetail";
import { GraphSketch } from "./GraphSketch";
import { nodeTypes } from "./TraceNodes";

/**
 * Above this many nodes React Flow draws only those in view (and, zoomed far out, none: the
 * sketch's blocks stand in), since drawing a thousand takes most of a second. Up to it every node
 * is in the page at every zoom, so Tab reaches each one.
 */
export const RENDER_ALL_MAX = 300;
/** Graphs of more nodes than this get a minimap (smaller ones are read whole when fitted). */
const MAP_FROM = 80;

/** Whether moving the view may be animated: not for those who asked for less motion. */
const motion = () =>
  window.matchMedia?.("(prefers-reduced-motion: no-preference)").matches ?? false;

// Edges are not selectable: no invisible wide path for catching clicks.
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed }, interactionWidth: 0 };
const NO_EDGES: Edge[] = [];

function miniMapColor(node: TraceFlowNode): string {
  if (node.type === "run") {
    if (node.data.node.stale.length > 0) return "var(--warn)";
    return node.data.node.status === "failed" ? "var(--danger)" : "var(--accent)";
  }
  const flagged = node.type === "pointer" ? node.data.node.flagged : node.data.group.flagged > 0;
  return flagged ? "var(--flag)" : "var(--text-muted)";
}

export interface TraceGraphProps {
  view: ViewGraph;
  selectedId: string | null;
  /** A node (not a group) was picked, or the selection was cleared (null). */
  onSelect: (id: string | null) => void;
  /** A folded group was picked: show its siblings. */
  onExpand: (groupId: string) => void;
  /** Width of the canvas's right side that a selected node's details cover, to keep it out from under them. */
  panelCover?: number;
}

/** Measures its frame first, so that the graph can mount already fitted to it. */
export function TraceGraph(props: TraceGraphProps) {
  const frame = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const element = frame.current;
    if (element) setSize({ width: element.offsetWidth, height: element.offsetHeight });
  }, []);
  const laid = useGraphLayout(props.view);
  return (
    <div ref={frame} className="trace-graph">
      {size ? <TraceFlow {...props} laid={laid} canvas={size} /> : null}
    </div>
  );
}

function TraceFlow({
  view,
  laid,
  canvas,
  selectedId,
  onSelect,
  onExpand,
  panelCover = 0,
}: TraceGraphProps & { laid: Layout; canvas: Size }) {
  const { theme } = useTheme();
  const flow = useReactFlow<TraceFlowNode>();
  const wrapper = useRef<HTMLDivElement>(null);
  // The node to look at once the next layout is in (the first of a group just opened).
  const focusAfterLayout = useRef<string | null>(null);
  const graph = useMemo(() => viewToFlow(view, laid), [view, laid]);
  const large = graph.nodes.length > RENDER_ALL_MAX;
  const mapped = graph.nodes.length > MAP_FROM;
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);

  // Mounted already fitted (or, on a narrow screen where fitting would leave nothing readable,
  // at a readable zoom around the selected node or the root): React Flow renders nodes once.
  const [first] = useState(() => ({
    laid,
    viewport: initialViewport(
      graph.nodes,
      canvas,
      selectedId ?? view.root,
      selectedId ? panelCover : 0,
    ),
  }));
  const detail = useZoomDetail(first.viewport.zoom, large);
  const sketched = detail !== "full";
  const blocks = detail === "block";

  const nodes = useMemo(
    () =>
      graph.nodes.map((node) => {
        if (node.id === selectedId) return { ...node, selected: true };
        return blocks && large ? { ...node, hidden: true } : node;
      }),
    [graph, selectedId, blocks, large],
  );

  /**
   * Brings a node wholly into the part of the canvas the details panel leaves (`cover` wide on
   * the right): by panning, and with `zoomIn` by zooming in to READABLE_ZOOM when the graph is
   * drawn too small to read.
   */
  const show = useCallback(
    (id: string, { cover = 0, zoomIn = false, force = false } = {}) => {
      const node = byId.get(id);
      if (!node) return;
      const viewport = flow.getViewport();
      const tooSmall = zoomIn && viewport.zoom < MIN_READABLE_ZOOM;
      const room = { width: canvas.width - cover, height: canvas.height };
      if (!force && !tooSmall && isInView(node, viewport, room)) return;
      const zoom = tooSmall ? READABLE_ZOOM : viewport.zoom;
      void flow.setCenter(
        node.position.x + (node.width ?? 0) / 2 + cover / 2 / zoom,
        node.position.y + (node.height ?? 0) / 2,
        { zoom, duration: tooSmall && motion() ? 200 : 0 },
      );
    },
    [byId, canvas, flow],
  );

  /** Focuses a node's element (React Flow's, or the sketch's block), bringing it into view. */
  const focusNode = useCallback(
    (id: string, attempts = 20) => {
      const root = wrapper.current;
      if (!root) return;
      show(id, { cover: selectedId ? panelCover : 0 });
      const selector = `.react-flow__node[data-id="${CSS.escape(id)}"], [data-node-id="${CSS.escape(id)}"]`;
      const element = root.querySelector<HTMLElement | SVGElement>(selector);
      if (element) element.focus({ preventScroll: true });
      // Not drawn yet (it was out of view in a large graph): focus it once it is.
      else if (attempts > 0) requestAnimationFrame(() => focusNode(id, attempts - 1));
    },
    [show, selectedId, panelCover],
  );

  // The selection this graph made itself (a click, a key): any other came from outside (the
  // diff's list of differences) and is brought into view below, readable.
  const pickedHere = useRef<string | null>(selectedId);
  const pick = useCallback(
    (id: string) => {
      const node = byId.get(id);
      if (node?.type === "siblings") {
        focusAfterLayout.current = node.data.group.siblings[0]?.id ?? null;
        onExpand(id);
        return;
      }
      pickedHere.current = id;
      onSelect(id);
      // Its details open over the right side: keep it clear of them, and readable.
      show(id, { cover: panelCover, zoomIn: true });
    },
    [byId, onExpand, onSelect, show, panelCover],
  );

  // Keyboard and click selection both arrive as select changes.
  const onNodesChange = useCallback(
    (changes: NodeChange<TraceFlowNode>[]) => {
      const picked = changes.find((change) => change.type === "select" && change.selected);
      if (picked && picked.type === "select") pick(picked.id);
      else if (changes.some((c) => c.type === "select" && !c.selected && c.id === selectedId)) {
        onSelect(null);
      }
    },
    [pick, onSelect, selectedId],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as Element;
    const from =
      target.closest(".react-flow__node")?.getAttribute("data-id") ??
      target.closest("[data-node-id]")?.getAttribute("data-node-id");
    if (!from) return;
    if (event.key === "Escape" && selectedId) {
      onSelect(null);
      return;
    }
    if (!isArrow(event.key)) return;
    const node = byId.get(from);
    const next = node ? nodeTowards(node, graph.nodes, event.key) : null;
    event.preventDefault();
    event.stopPropagation();
    if (next) focusNode(next);
  };

  // A new layout (a group opened or folded again): move to the node to look at, or fit it all.
  const [fitted, setFitted] = useState<Layout | null>(null);
  useEffect(() => {
    if (laid === first.laid) {
      setFitted(laid);
      return;
    }
    const target = focusAfterLayout.current;
    focusAfterLayout.current = null;
    let live = true;
    const moved =
      target && byId.has(target)
        ? Promise.resolve(
            show(target, { cover: selectedId ? panelCover : 0, force: true, zoomIn: true }),
          )
        : flow.fitView(FIT_VIEW_OPTIONS);
    void moved.then(() => {
      if (!live) return;
      setFitted(laid);
      if (target) requestAnimationFrame(() => focusNode(target));
    });
    return () => {
      live = false;
    };
    // Only a new layout moves the view; the callbacks change with it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [laid]);
  const layoutDone = fitted === laid;

  useEffect(() => {
    if (!selectedId || selectedId === pickedHere.current) return;
    pickedHere.current = selectedId;
    // Kept unfolded, the node may only be drawn by the next layout: look at it then too.
    focusAfterLayout.current = selectedId;
    if (layoutDone) show(selectedId, { cover: panelCover, zoomIn: true });
    // Only a selection made elsewhere moves the view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);

  useEffect(() => {
    // For the browser benchmark and tests: the time from navigation start to a fitted graph.
    if (layoutDone) performance.mark?.("mltrace:trace-layout-done");
  }, [layoutDone]);

  return (
    <DetailContext.Provider value={detail}>
      <p className="sr-only" aria-live="polite">
        {blocks ? "Zoomed out: the arrow keys and Tab still reach every run and output." : ""}
      </p>
      <ReactFlow<TraceFlowNode>
        ref={wrapper}
        nodes={nodes}
        edges={sketched ? NO_EDGES : graph.edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onKeyDownCapture={onKeyDown}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode={theme}
        defaultViewport={first.viewport}
        minZoom={MIN_ZOOM}
        maxZoom={MAX_ZOOM}
        onlyRenderVisibleElements={large}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        aria-label="Trace graph"
        data-layout={layoutDone ? "done" : "pending"}
        data-nodes={graph.nodes.length}
        className={[`detail-${detail}`, view.path ? "has-path" : null, large ? "is-large" : null]
          .filter(Boolean)
          .join(" ")}
      >
        {sketched ? (
          <GraphSketch
            nodes={graph.nodes}
            edges={graph.edges}
            blocks={blocks && large}
            selectedId={selectedId}
            onSelect={pick}
          />
        ) : null}
        <Background gap={24} />
        <Controls showInteractive={false} fitViewOptions={FIT_VIEW_OPTIONS} />
        {!mapped || (blocks && large) ? null : (
          // A map for graphs too big to read whole; furthest out the sketch is its own map.
          <MiniMap<TraceFlowNode>
            pannable
            zoomable
            nodeColor={miniMapColor}
            className="hide-narrow"
            style={{ width: 160, height: 100 }}
          />
        )}
      </ReactFlow>
    </DetailContext.Provider>
  );
}
