import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { culprit } from "../../../testing/demo";
import { recordedAnswer } from "../../../testing/apiDump";
import { renderAt } from "../../../testing/render";
import { server } from "../../../testing/server";

const GOOD = "mlt_good-token";

/** A server that requires a token: 401 without `GOOD`, 403 for writes, else the recorded answers. */
function requireToken(sent: (string | null)[]) {
  server.use(
    http.all("*/api/v1/*", ({ request }) => {
      const auth = request.headers.get("Authorization");
      sent.push(auth);
      if (auth !== `Bearer ${GOOD}`) {
        const message = auth
          ? "The API token is unknown, revoked or expired."
          : "This server requires an API token: send Authorization: Bearer <token>.";
        return HttpResponse.json(
          { error: { code: "unauthorized", message, details: {} } },
          { status: 401 },
        );
      }
      if (request.method !== "GET") {
        return HttpResponse.json(
          {
            error: {
              code: "forbidden",
              message: "The token 'reader' has the read scope; PUT needs write.",
              details: { scope: "read", needed: "write" },
            },
          },
          { status: 403 },
        );
      }
      const answer = recordedAnswer(request.method, new URL(request.url));
      return HttpResponse.json(answer!.body as never, { status: answer!.status });
    }),
  );
}

describe("TokenPrompt", () => {
  it("asks once for a token on a 401, keeps it for the tab and sends it on every request", async () => {
    const sent: (string | null)[] = [];
    requireToken(sent);
    const { user } = renderAt(`/inspect/${culprit.id}`);
    const dialog = await screen.findByRole("dialog", { name: "API token needed" });
    expect(dialog).toHaveTextContent("This server requires an API token");
    expect(screen.getAllByRole("dialog")).toHaveLength(1); // several 401s, one prompt
    await user.type(within(dialog).getByLabelText("API token"), GOOD);
    await user.click(within(dialog).getByRole("button", { name: "Use token" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(await screen.findByRole("article", { name: `Run ${culprit.id} details` })).toBeVisible();
    expect(window.sessionStorage.getItem("mltrace.token")).toBe(GOOD);
    expect(sent.at(-1)).toBe(`Bearer ${GOOD}`);
    expect(await screen.findByRole("region", { name: "History of changes" })).toBeVisible();
  });

  it("says so when the tab's token is refused", async () => {
    window.sessionStorage.setItem("mltrace.token", "mlt_revoked");
    requireToken([]);
    renderAt("/recent");
    const dialog = await screen.findByRole("dialog", { name: "API token needed" });
    expect(dialog).toHaveTextContent("refused the token of this tab");
    expect(await screen.findAllByRole("alert")).not.toHaveLength(0);
    expect(screen.getAllByRole("alert")[0]).toHaveTextContent("Not signed in");
  });

  it("shows a clear message when the token's scope is too small", async () => {
    window.sessionStorage.setItem("mltrace.token", GOOD);
    requireToken([]);
    const { user } = renderAt(`/inspect/${culprit.id}`);
    const notes = await screen.findByLabelText("Notes");
    await user.type(notes, "x");
    await user.click(screen.getByRole("button", { name: /save/i }));
    expect(await screen.findByText(/Not allowed with this token/)).toBeVisible();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});
