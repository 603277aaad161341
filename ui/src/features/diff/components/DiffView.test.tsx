import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { answers } from "../../../testing/apiDump";
import { renderAt } from "../../../testing/render";
import type { Trace, TraceDiff } from "../../../lib/types";
import { paths } from "../../../lib/paths";
import { CodeDiff } from "./DifferenceList";

const diff = answers.find((a) => a.path === "/api/v1/diff")!.body as TraceDiff;
const traceOf = (outputId: string) =>
  answers.find(
    (a) =>
      a.path === "/api/v1/trace" &&
      a.query.output_id === outputId &&
      a.query.direction === "upstream" &&
      a.query.depth === undefined,
  )!.body as Trace;

describe("DiffView", () => {
  it("highlights the runs of the wrong trace that differ and mutes what both share", async () => {
    renderAt(paths.diff(diff.a, diff.b));
    const graph = await screen.findByLabelText("Trace graph");
    const inA = new Set(traceOf(diff.a).nodes.map((n) => n.id));
    const expected = new Set(
      [...diff.differences.map((d) => d.b_run_id), ...diff.only_b.map((r) => r.run_id)]
        .filter((id): id is number => id !== null)
        .map((id) => `run:${id}`)
        .filter((id) => !inA.has(id)),
    );
    const marked = [...graph.querySelectorAll(".react-flow__node")].filter((node) =>
      (node.getAttribute("aria-label") ?? "").endsWith(", differs"),
    );
    const markedRuns = marked
      .map((node) => node.getAttribute("data-id")!)
      .filter((id) => id.startsWith("run:"));
    expect(new Set(markedRuns)).toEqual(expected);
    expect(expected.size).toBeGreaterThan(0);
    const shared = graph.querySelector('.react-flow__node[data-id="run:1"]');
    expect(shared?.getAttribute("aria-label")).not.toMatch(/differs/);
  });

  it("ranks the differences and selects a difference's node when it is picked", async () => {
    const { user, router } = renderAt(paths.diff(diff.a, diff.b));
    const list = await screen.findByRole("list", { name: "Differences, likeliest cause first" });
    const items = within(list).getAllByRole("button");
    expect(items).toHaveLength(diff.differences.length);
    expect(items[0]).toHaveTextContent(`#1 raw input`);
    const params = diff.differences.find((d) => d.kind === "params")!;
    await user.click(within(list).getByRole("button", { name: new RegExp(`^#${params.rank} `) }));
    expect(router.state.location.search).toContain(`node=run%3A${params.b_run_id}`);
    const detail = screen.getByRole("region", { name: `Difference ${params.rank}` });
    expect(detail).toHaveTextContent(String(params.b));
    expect(await screen.findByText(/\(differs\)/)).toBeInTheDocument();
  });
});

describe("CompareWith", () => {
  it("opens the diff of the traced output against the output typed in", async () => {
    const { user, router } = renderAt(paths.trace(diff.b));
    await screen.findByLabelText("Trace graph");
    await user.click(screen.getByRole("button", { name: "Compare with…" }));
    await user.type(screen.getByRole("textbox", { name: "Compare with" }), diff.a);
    await user.click(screen.getByRole("button", { name: "Compare" }));
    expect(router.state.location.pathname).toBe(paths.diff(diff.a, diff.b));
    expect(
      await screen.findByRole("list", { name: "Differences, likeliest cause first" }),
    ).toBeInTheDocument();
  });
});

describe("CodeDiff", () => {
  it("marks added and removed lines, in words as well as colour", () => {
    render(<CodeDiff diff={"--- a\n+++ b\n@@ -1 +1 @@\n-x = 1\n+x = 2\n y = 3\n"} />);
    const code = screen.getByLabelText("Code diff");
    expect(code.querySelector(".diff-removed")).toHaveTextContent("removed: -x = 1");
    expect(code.querySelector(".diff-added")).toHaveTextContent("added: +x = 2");
    expect(code.querySelectorAll(".diff-same")).toHaveLength(1);
  });
});
