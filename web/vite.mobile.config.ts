import { VantResolver } from "@vant/auto-import-resolver";
import vue from "@vitejs/plugin-vue";
import { fileURLToPath } from "node:url";
import type { AcceptedPlugin } from "postcss";
import Components from "unplugin-vue-components/vite";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// The phones' app (/m/) and the residents' public pages (/r/), built after the wall into
// dist/m (platform/root/web.py serves both): hashed assets cached forever, the pages, the
// manifest and the service worker revalidated. Vant's components are imported where a
// template uses them (the resolver), so a page ships only the parts it shows.
const root = fileURLToPath(new URL("./mobile", import.meta.url));

/**
 * Fonts come from the server alone (no CDN; the CSP refuses others): Vant's icon font is
 * inlined as a data: URL, and its fallback on a CDN is dropped from every @font-face.
 */
const localFontsOnly: AcceptedPlugin = {
  postcssPlugin: "local-fonts-only",
  Declaration: {
    src: (declaration) => {
      if (declaration.parent?.type !== "atrule") return;
      const sources = declaration.value.split(/,(?![^(]*\))/);
      const local = sources.filter((source) => !/url\(\s*["']?(?:https?:)?\/\//.test(source));
      if (local.length !== sources.length) declaration.value = local.join(",");
    },
  },
};

/** The residents' pages are not the staff's app: no manifest link there (the PWA plugin adds it to every page). */
const residentWithoutManifest: Plugin = {
  name: "resident-without-manifest",
  enforce: "post",
  transformIndexHtml: {
    order: "post",
    handler: (html, context) =>
      context.filename.endsWith("resident.html") ? html.replace(/<link rel="manifest"[^>]*>/g, "") : html,
  },
};

export default defineConfig({
  root,
  base: "/m/",
  plugins: [
    vue(),
    Components({ resolvers: [VantResolver()], dts: "../src/mobile/components.d.ts", dirs: [] }),
    VitePWA({
      // main.ts registers /m/sw.js itself (scope /m/): no inline or extra registration script.
      injectRegister: null,
      registerType: "autoUpdate",
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/*.png"],
      manifest: {
        id: "/m/",
        name: "红网格 · 移动端",
        short_name: "红网格",
        description: "网格员、网格长、下沉人员、志愿者与书记的手机端",
        lang: "zh-CN",
        start_url: "/m/",
        scope: "/m/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#f7f8fa",
        theme_color: "#c8102e",
        icons: [
          { src: "/m/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/m/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any maskable" },
        ],
      },
      workbox: {
        // One self-contained sw.js (no workbox-*.js beside it) that precaches the app shell;
        // every client-side route of /m/ opens the cached page, GraphQL always goes to the network.
        inlineWorkboxRuntime: true,
        globPatterns: ["index.html", "assets/*.{js,css}", "icons/*.png"],
        navigateFallback: "/m/index.html",
        navigateFallbackAllowlist: [/^\/m\//],
        cleanupOutdatedCaches: true,
      },
    }),
    residentWithoutManifest,
  ],
  css: { postcss: { plugins: [localFontsOnly] } },
  build: {
    outDir: "../dist/m",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: `${root}/index.html`, resident: `${root}/resident.html` },
    },
  },
});
