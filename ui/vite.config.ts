// Vite build and dev-server settings: the bundle goes into the Flask server's static folder.
// `MLTRACE_MOCK_API=1 vite` (npm run dev:mock) answers /api from sample data instead of the server.

import { defineConfig, runnerImport, type PluginOption, type UserConfig } from "vite";
import react from "@vitejs/plugin-react";

const useMock = process.env.MLTRACE_MOCK_API === "1";

// The mock API is loaded through Vite's module runner, and only for dev:mock: the config itself
// imports nothing that Node could not load as it is, so a build prints no config-loader warning.
async function mockApiPlugins(): Promise<PluginOption[]> {
  if (!useMock) return [];
  const mockApi = new URL("./src/testing/mockApi.ts", import.meta.url).pathname;
  const { module } = await runnerImport<typeof import("./src/testing/mockApi")>(mockApi);
  return [module.mockApiPlugin()];
}

export default defineConfig(async (): Promise<UserConfig> => ({
  plugins: [react(), await mockApiPlugins()],
  build: {
    outDir: "../mltrace/server/static",
    emptyOutDir: true,
  },
  server: {
    proxy: useMock ? {} : { "/api": "http://127.0.0.1:8080" },
  },
}));
