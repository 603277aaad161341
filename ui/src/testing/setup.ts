// Vitest setup for every test file: DOM matchers, the recorded API, and a clean DOM after each test.

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import ELK from "elkjs/lib/elk.bundled.js";
import { afterAll, afterEach, beforeAll, expect, vi } from "vitest";
import { setElkEngine } from "../lib/elkEngine";
import { installDomShims } from "./domShims";
import { server, unrecorded } from "./server";

installDomShims();

// jsdom has no web workers: ELK runs in the page, as the layout's own tests run it.
setElkEngine(new ELK());

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  server.resetHandlers();
  server.events.removeAllListeners();
  window.localStorage.clear();
  const missing = unrecorded.splice(0);
  expect(missing, "requests the recording (make ui-fixtures) has no answer for").toEqual([]);
});
afterAll(() => server.close());
