import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { recorded } from "../../../testing/apiDump";
import { culprit, flagged } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import type { Trace } from "../../../lib/types";

const bad = flagged[0]!;
const upstream = recorded<Trace>("/api/v1/trace", { output_id: bad, direction: "upstream" });

/** The graph once laid out (ELK, in the page here) and shown. */
async function laidOutGraph() {
  // The first graph of a test file waits for the graph views' code and ELK to load.
  const graph = await screen.findByLabelText("Trace graph", {}, { timeout: 10_000 });
  await waitFor(() => expect(graph).toHaveAttribute("data-layout", "done"), { timeout: 10_000 });
  return graph;
}

describe("TraceView", () => {
  it("draws every run and pointer of an output's trace, named for a screen reader", async () => {
    renderAt(`/trace/${encodeURIComponent(bad)}`);
    const graph = await laidOutGraph();
    expect(graph).toHaveAttribute("data-nodes", String(upstream.nodes.length));
    const runs = upstream.nodes.filter((n) => n.kind === "run");
    expect(within(graph).getAllByRole("group", { name: /^Run \d+: / })).toHaveLength(runs.length);
    expect(
      within(graph).getByRole("group", { name: `endpoint ${bad}, flagged` }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^Upstream: 15 runs, 20 inputs and outputs, 1 flagged/),
    ).toBeInTheDocument();
  });

  it("shows the trace as a list whose entries open their details", async () => {
    const { user, router } = renderAt(`/trace/${encodeURIComponent(bad)}?view=list`);
    const list = await screen.findByRole("list", { name: "Trace as a list" }, { timeout: 10_000 });
    const entry = within(list).getAllByRole("button", {
      name: new RegExp(`^ingest · Run ${culprit.id}\\b`),
    })[0]!;
    await user.click(entry);
    expect(router.state.location.search).toContain(`node=run%3A${culprit.id}`);
    const panel = screen.getByRole("complementary", { name: "Node details" });
    expect(
      await within(panel).findByRole("article", { name: `Run ${culprit.id} details` }),
    ).toBeInTheDocument();
    expect(entry).toHaveAttribute("aria-current", "true");
  });

  it("folds sibling outputs into a group that Enter opens", async () => {
    const { user } = renderAt(
      `/trace/${encodeURIComponent(culprit.outputs[0]!.name)}?direction=downstream`,
    );
    const graph = await laidOutGraph();
    const groups = within(graph).getAllByRole("group", { name: /^8 outputs, 8 flagged, folded/ });
    expect(groups).toHaveLength(2);
    const before = Number(graph.getAttribute("data-nodes"));
    groups[0]!.focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(graph).toHaveAttribute("data-nodes", String(before + 7)));
    await waitFor(() => expect(graph).toHaveAttribute("data-layout", "done"));
    expect(within(graph).getAllByRole("group", { name: /^endpoint .+, flagged$/ })).toHaveLength(8);
    await user.click(screen.getByRole("button", { name: "Fold siblings again" }));
    await waitFor(() => expect(graph).toHaveAttribute("data-nodes", String(before)));
  });

  it("words a missing output as the server does", async () => {
    renderAt(`/trace/${encodeURIComponent("no/such output")}`);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Output 'no/such output' not found.",
    );
  });
});

describe("RunDownstreamView", () => {
  it("roots the graph at the run and highlights its path to the flagged outputs", async () => {
    renderAt(`/downstream/${culprit.id}?suspect=run%3A${culprit.id}`);
    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: `Downstream of ingest · Run ${culprit.id}`,
      }),
    ).toBeInTheDocument();
    const graph = await laidOutGraph();
    const suspect = within(graph).getByRole("group", {
      name: `Run ${culprit.id}: ingest, success, suspect`,
    });
    expect(suspect.querySelector(".trace-node")).toHaveClass("is-suspect", "on-path");
    expect(within(suspect).getByText(/suspect/)).toBeInTheDocument();
    expect(screen.getByRole("note")).toHaveTextContent(`suspect ingest · Run ${culprit.id}`);
    const output = within(graph).getByRole("group", { name: `data ${culprit.outputs[0]!.name}` });
    expect(output.querySelector(".trace-node")).toHaveClass("on-path");
  });
});
