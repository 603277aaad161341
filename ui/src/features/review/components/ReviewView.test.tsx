import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { culprit, flagged, review } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";

describe("ReviewView", () => {
  it("ranks the culprit first, linking it to its page and to what it fed", async () => {
    renderAt("/review");
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(review.runs.length);
    const first = rows[0]!;
    expect(within(first).getByRole("link", { name: `ingest · Run ${culprit.id}` })).toHaveAttribute(
      "href",
      `/inspect/${culprit.id}`,
    );
    // every flagged output but the one of the demo's featurize hotfix
    const top = review.runs[0]!;
    expect(top.count).toBe(flagged.length - 1);
    const downstream = within(first).getByRole("link", {
      name: `${top.count} flagged outputs downstream of ingest · Run ${culprit.id}: trace`,
    });
    expect(downstream).toHaveAttribute(
      "href",
      `/downstream/${culprit.id}?suspect=run%3A${culprit.id}`,
    );
    expect(within(first).getByRole("meter", { name: "Coverage" })).toHaveAttribute(
      "aria-valuenow",
      String(Math.round(top.coverage * 100)),
    );
  });

  it("links each flagged output to its trace with the top suspect highlighted", async () => {
    renderAt("/review");
    const list = (await screen.findByRole("heading", { name: "Flagged outputs" })).parentElement!;
    const links = within(list).getAllByRole("link");
    expect(links.map((a) => a.textContent)).toEqual(flagged);
    expect(links[0]).toHaveAttribute(
      "href",
      `/trace/${encodeURIComponent(flagged[0]!)}?suspect=run%3A${culprit.id}`,
    );
  });

  it("opens the suspect's downstream graph from its row", async () => {
    const { user, router } = renderAt("/review");
    await user.click(
      await screen.findByRole("link", {
        name: new RegExp(`downstream of ingest · Run ${culprit.id}`),
      }),
    );
    expect(router.state.location.pathname).toBe(`/downstream/${culprit.id}`);
    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: `Downstream of ingest · Run ${culprit.id}`,
      }),
    ).toBeInTheDocument();
  });
});
