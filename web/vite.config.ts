import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

// Served by the Python server under /wall/ (platform/root/web.py): every asset is hashed
// and cached forever there, only index.html is revalidated.
export default defineConfig({
  base: "/wall/",
  plugins: [vue()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: { echarts: ["echarts/core", "echarts/charts", "echarts/components", "echarts/renderers"] },
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
