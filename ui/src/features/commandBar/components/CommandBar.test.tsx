import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { goodPrediction } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import { server } from "../../../testing/server";

describe("CommandBar", () => {
  it("opens the view a command names", async () => {
    const { user, router } = renderAt("/help");
    await user.type(screen.getByLabelText("Command"), "review{Enter}");
    expect(router.state.location.pathname).toBe("/review");
  });

  it("explains an unknown command where it was typed", async () => {
    const { user, router } = renderAt("/help");
    await user.type(screen.getByLabelText("Command"), "tarce x{Enter}");
    expect(screen.getByRole("alert")).toHaveTextContent(
      'Unknown command "tarce". Did you mean `trace`?',
    );
    expect(router.state.location.pathname).toBe("/help");
  });

  it("completes component names from the search", async () => {
    const { user, router } = renderAt("/");
    const bar = screen.getByLabelText("Command");
    await user.type(bar, "history ing");
    const option = await screen.findByRole("option", { name: /^ingest/ }, { timeout: 5_000 });
    await user.click(option);
    expect(router.state.location.pathname).toBe("/history/ingest/10");
  });

  it("flags an output through the API, then shows its trace", async () => {
    const sent: string[] = [];
    server.events.on("request:start", ({ request }) => {
      if (request.method !== "GET")
        sent.push(`${request.method} ${decodeURIComponent(new URL(request.url).pathname)}`);
    });
    const { user, router } = renderAt("/");
    await user.type(screen.getByLabelText("Command"), `flag ${goodPrediction}{Enter}`);
    await vi.waitFor(() =>
      expect(router.state.location.pathname).toBe(`/trace/${encodeURIComponent(goodPrediction)}`),
    );
    expect(sent).toEqual([`PUT /api/v1/flags/${goodPrediction}`]);
  });

  it("keeps the line and says why when the API refuses a flag", async () => {
    const { user, router } = renderAt("/review");
    await user.type(screen.getByLabelText("Command"), "flag no/such output{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not flag \"no/such output\": Output 'no/such output' not found.",
    );
    expect(screen.getByLabelText("Command")).toHaveValue("flag no/such output");
    expect(router.state.location.pathname).toBe("/review");
  });
});
