import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// A static bundle: no environment variables are read into it (every URL comes from the runtime config.json).
export default defineConfig({
  plugins: [react()],
  base: "./",
  envPrefix: "MASKOII_WEB_PUBLIC_",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2_000 },
});
