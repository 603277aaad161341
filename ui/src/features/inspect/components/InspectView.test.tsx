import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { formatBytes } from "../../../lib/format";
import { cachedTrain, culprit, storedOutputs } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import { server } from "../../../testing/server";
import { recorded } from "../../../testing/apiDump";
import type { RunDetail } from "../../../lib/types";

describe("InspectView", () => {
  it("shows the whole run, hashes short with a way to copy them whole", async () => {
    const { user } = renderAt(`/inspect/${culprit.id}`);
    const card = await screen.findByRole("article", { name: `Run ${culprit.id} details` });
    expect(within(card).getByRole("link", { name: "ingest" })).toBeInTheDocument();
    const code = within(card).getByTitle(culprit.code_hash!);
    expect(code).toHaveTextContent(`${culprit.code_hash!.slice(0, 12)}…`);
    await user.click(within(card).getByRole("button", { name: "Copy code hash" }));
    expect(await navigator.clipboard.readText()).toBe(culprit.code_hash);
    expect(within(card).getByRole("button", { name: "Copy code hash" })).toHaveTextContent(
      "Copied",
    );
    // Where the page may not write to the clipboard (plain http), the whole hash is shown to select.
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new DOMException("denied"));
    await user.click(within(card).getByRole("button", { name: "Copy git commit" }));
    expect(within(card).getByTitle(culprit.git_hash!)).toHaveTextContent(culprit.git_hash!);
    expect(within(card).getByRole("link", { name: "What this run's outputs fed" })).toHaveAttribute(
      "href",
      `/downstream/${culprit.id}`,
    );
    expect(within(card).getByRole("region", { name: "Outputs" })).toHaveTextContent(
      culprit.outputs[0]!.name,
    );
  });

  it("saves notes through the API", async () => {
    const sent: unknown[] = [];
    server.events.on("request:start", async ({ request }) => {
      if (request.method === "PUT")
        sent.push([new URL(request.url).pathname, await request.clone().json()]);
    });
    const { user } = renderAt(`/inspect/${culprit.id}`);
    const notes = await screen.findByLabelText("Notes");
    await user.type(notes, "Fahrenheit batch");
    await user.click(screen.getByRole("button", { name: "Save notes" }));
    await vi.waitFor(() =>
      expect(sent).toEqual([[`/api/v1/runs/${culprit.id}/notes`, { notes: "Fahrenheit batch" }]]),
    );
    await vi.waitFor(() =>
      expect(screen.getByRole("button", { name: "Save notes" })).toBeEnabled(),
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("links a cached run to the run it reused and each stored output to its bytes", async () => {
    const detail = recorded<RunDetail>(`/api/v1/runs/${cachedTrain.id}`);
    const [stored] = storedOutputs(cachedTrain.id);
    renderAt(`/inspect/${cachedTrain.id}`);
    const card = await screen.findByRole("article", { name: `Run ${cachedTrain.id} details` });
    expect(within(card).getByText("cached", { selector: ".badge" })).toBeInTheDocument();
    expect(within(card).getByRole("link", { name: `run ${detail.reused_run_id}` })).toHaveAttribute(
      "href",
      `/inspect/${detail.reused_run_id}`,
    );
    const download = await within(card).findByRole("link", {
      name: `Download ${stored!.name} (${formatBytes(stored!.size)})`,
    });
    expect(download).toHaveAttribute(
      "href",
      `/api/v1/artifacts/${stored!.hash}?name=${encodeURIComponent(stored!.name)}`,
    );
    expect(download).toHaveAttribute("download", "model.pkl");
  });

  it("words an unknown run as the server does", async () => {
    renderAt("/inspect/999999");
    expect(await screen.findByRole("alert")).toHaveTextContent("Run 999999 not found.");
  });
});
