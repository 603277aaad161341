// MSW's request interception for the tests: every /api/v1 request is answered from the recording.
// A request the recording lacks is answered 501 and remembered, and the test that made it fails.

import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { recordedAnswer } from "./apiDump";

export const unrecorded: string[] = [];

export const server = setupServer(
  http.all("*/api/v1/*", ({ request }) => {
    const url = new URL(request.url);
    const answer = recordedAnswer(request.method, url);
    if (!answer) {
      const what = `${request.method} ${decodeURIComponent(url.pathname)}${url.search}`;
      unrecorded.push(what);
      return HttpResponse.json(
        { error: { code: "internal", message: `Not recorded: ${what}`, details: {} } },
        { status: 501 },
      );
    }
    return HttpResponse.json(answer.body as never, { status: answer.status });
  }),
);
