import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { recorded } from "../../../testing/apiDump";
import { flagged } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import type { RecentRunsPage } from "../../../lib/types";

describe("RecentView", () => {
  it("lists the newest runs first", async () => {
    const page = recorded<RecentRunsPage>("/api/v1/runs", { limit: 20 });
    renderAt("/");
    const list = await screen.findByRole("list", { name: "Runs" });
    const cards = within(list).getAllByRole("article");
    expect(cards).toHaveLength(20);
    expect(cards.map((card) => card.getAttribute("aria-label"))).toEqual(
      page.runs.map((run) => `Run ${run.id}`),
    );
  });

  it("says how many outputs are flagged and links to the review", async () => {
    const { user, router } = renderAt("/");
    const notice = (await screen.findByText(/outputs are flagged/)).closest("p")!;
    expect(notice).toHaveTextContent(`${flagged.length} outputs are flagged.`);
    await user.click(within(notice).getByRole("link"));
    expect(router.state.location.pathname).toBe("/review");
  });
});
