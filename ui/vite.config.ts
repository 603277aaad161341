// Vite build and dev-server settings: the bundle goes into the Flask server's static folder.
// `MLTRACE_MOCK_API=1 vite` (npm run dev:mock) answers /api from sample data instead of the server.

import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { mockApiPlugin } from "./src/testing/mockApi";

const useMock = process.env.MLTRACE_MOCK_API === "1";

export default defineConfig({
  plugins: [react(), ...(useMock ? [mockApiPlugin()] : [])],
  build: {
    outDir: "../mltrace/server/static",
    emptyOutDir: true,
  },
  server: {
    proxy: useMock ? {} : { "/api": "http://127.0.0.1:8080" },
  },
});
