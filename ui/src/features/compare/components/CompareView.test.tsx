import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { paths } from "../../../lib/paths";
import { recorded } from "../../../testing/apiDump";
import { componentRuns, culprit } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import type { Comparison } from "../api/getComparison";

// The recorded comparisons (tests/console_api_dump.py): every training run, oldest first; the first
// ingest run beside the Fahrenheit one; and the three newest training runs, as history lists them.
const trainIds = componentRuns("train")
  .map((run) => run.id)
  .reverse();
const firstIngest = Math.min(...componentRuns("ingest").map((run) => run.id));
const compared = (ids: number[]) => recorded<Comparison>("/api/v1/compare", { ids: ids.join(",") });

/** The body rows of the values table, as shown: [label, differs]. */
function shownRows(): [string, string | null][] {
  const table = screen.getByRole("table", { name: /side by side/ });
  return within(table)
    .getAllByRole("row")
    .filter((row) => row.hasAttribute("data-differs"))
    .map((row) => [
      within(row).getByRole("rowheader").textContent ?? "",
      row.getAttribute("data-differs"),
    ]);
}

describe("CompareView", () => {
  it("opens from the command bar with a column per run and the differing rows first", async () => {
    const { user, router } = renderAt("/");
    await user.type(screen.getByLabelText("Command"), `compare ${trainIds.join(" ")}{Enter}`);
    expect(router.state.location.pathname).toBe(paths.compare(trainIds));
    const table = await screen.findByRole("table", { name: /side by side/ });
    const headers = within(table).getAllByRole("columnheader").slice(1);
    expect(headers.map((h) => within(h).getByRole("link").textContent)).toEqual(
      trainIds.map((id) => `Run ${id}`),
    );
    const answer = compared(trainIds);
    const differing = answer.rows.filter((row) => row.differs);
    expect(shownRows().every(([, differs]) => differs === "true")).toBe(true);
    expect(shownRows()).toHaveLength(differing.length);

    const identical = answer.rows.length - answer.differing;
    await user.click(screen.getByRole("button", { name: `Show ${identical} identical rows` }));
    const rows = shownRows();
    expect(rows).toHaveLength(answer.rows.length);
    expect(rows.map(([, differs]) => differs)).toEqual([
      ...differing.map(() => "true"),
      ...Array(identical).fill("false"),
    ]);
    expect(
      screen.getByRole("button", { name: `Hide ${identical} identical rows` }),
    ).toHaveAttribute("aria-expanded", "true");
    expect(await screen.findByRole("heading", { name: "Step metrics" })).toBeInTheDocument();
    expect(await screen.findByRole("figure", { name: "loss by step" })).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: "auc per run" })).toBeInTheDocument();
  });

  it("puts the Fahrenheit flag first when the bad ingest run is compared with a good one", async () => {
    renderAt(paths.compare([firstIngest, culprit.id]));
    await screen.findByRole("table", { name: /side by side/ });
    const [first] = shownRows();
    expect(first).toEqual(["≠fahrenheit", "true"]);
    const row = screen.getByRole("rowheader", { name: /fahrenheit/ }).closest("tr")!;
    const cells = within(row).getAllByRole("cell");
    expect(cells.map((cell) => cell.textContent)).toEqual(["false", "true"]);
    expect(cells[1]).toHaveClass("compare-changed");
  });

  it("compares the runs ticked in a component's history, in the history's order", async () => {
    const { user, router } = renderAt(paths.history("train", 10));
    const newest = componentRuns("train", 10).map((run) => run.id);
    const button = await screen.findByRole("button", { name: "Compare 0 runs" });
    expect(button).toBeDisabled();
    for (const id of [newest[2]!, newest[0]!, newest[1]!]) {
      await user.click(screen.getByRole("checkbox", { name: `Compare run ${id}` }));
    }
    expect(router.state.location.pathname).toBe(paths.history("train", 10));
    await user.click(screen.getByRole("button", { name: "Compare 3 runs" }));
    expect(router.state.location.pathname).toBe(paths.compare(newest.slice(0, 3)));
    expect(await screen.findByRole("heading", { name: "Compare 3 runs" })).toBeInTheDocument();
    expect(await screen.findByRole("table", { name: /3 runs side by side/ })).toBeInTheDocument();
  });

  it("says which run does not exist, and what an address it cannot read should be", async () => {
    renderAt(paths.compare([firstIngest, 999999]));
    expect(await screen.findByRole("alert")).toHaveTextContent("Run 999999 not found.");
    renderAt("/compare/12");
    expect(screen.getAllByRole("alert").at(-1)).toHaveTextContent(
      /Compare takes 2 to 50 distinct run ids/,
    );
  });
});
