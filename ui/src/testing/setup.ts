// Vitest setup for every test file: DOM matchers, the recorded API, and a clean DOM after each test.

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import ELK from "elkjs/lib/elk.bundled.js";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { setElkEngine } from "../lib/elkEngine";
import { server, unrecorded } from "./server";

// jsdom has no web workers: ELK runs in the page, as the layout's own tests run it.
setElkEngine(new ELK());

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  window.localStorage.clear();
  const missing = unrecorded.splice(0);
  expect(missing, "requests the recording (make ui-fixtures) has no answer for").toEqual([]);
});
afterAll(() => server.close());
