// Builds the MCP App page and the test host's bridge bundle (npm run build:mcp-app).
//  - src/order-preview.js + src/order-preview.html -> server/mcp/apps/order_preview.html: one
//    self-contained file, the ext-apps App bridge bundled in, no external URL anywhere.
//  - src/test-host.js -> tests/support/mcp_host/host.js: the extension's AppBridge, for the
//    browser test that plays the host.
import { build } from "esbuild";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// `--out DIR` writes both files into DIR instead (the test that checks the committed build is current)
const outAt = process.argv.indexOf("--out");
const outDir = outAt > 0 ? process.argv[outAt + 1] : null;

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, "src", entry)], bundle: true, format: "iife", platform: "browser",
    target: "es2020", minify: true, write: false, legalComments: "eof", logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

const app = (await bundle("order-preview.js")).replace(/<\/script/gi, "<\\/script");
const page = (await readFile(join(here, "src", "order-preview.html"), "utf8"))
  .replace("/*APP_SCRIPT*/", () => app);
if (/\b(src|href)\s*=\s*["']?https?:/i.test(page)) throw new Error("the app page must not load anything by URL");
const appDir = outDir || join(root, "server", "mcp", "apps");
const hostDir = outDir || join(root, "tests", "support", "mcp_host");
await mkdir(appDir, { recursive: true });
await mkdir(hostDir, { recursive: true });
await writeFile(join(appDir, "order_preview.html"), page);
await writeFile(join(hostDir, "host.js"), await bundle("test-host.js"));
console.log(`order_preview.html: ${page.length} bytes`);
