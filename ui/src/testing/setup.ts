// Vitest setup for every test file: DOM matchers, the recorded API, and a clean DOM after each test.

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, expect, vi } from "vitest";
import { installDomShims } from "./domShims";
import { server, unrecorded } from "./server";

installDomShims();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  server.resetHandlers();
  server.events.removeAllListeners();
  window.localStorage.clear();
  window.sessionStorage.clear();
  const missing = unrecorded.splice(0);
  expect(missing, "requests the recording (make ui-fixtures) has no answer for").toEqual([]);
});
afterAll(() => server.close());
