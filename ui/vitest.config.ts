// Unit and component tests: in jsdom, with the API answered from the server's recording (src/testing/).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    setupFiles: ["src/testing/setup.ts"],
    // Component tests load the graph views and lay graphs out in the page: slow on a busy machine.
    testTimeout: 30_000,
  },
});
