// Builds widget/dist from widget/src: widget.js (what every page loads), widget-steps.js (the
// optional questions, loaded after the first answer), widget-proof.js (the proof of work, loaded
// only when a button asks for one) and widget.css (for browsers without
// constructable stylesheets). `--check` fails when the committed build differs from a fresh one;
// `--size` prints raw, gzip and brotli sizes against the budgets.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const mode = process.argv[2];

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, "src", entry)],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2018"],
    legalComments: "none",
    write: false,
  });
  return result.outputFiles[0].text;
}

const source = readFileSync(join(here, "src", "widget.js"), "utf8");
const css =
  source
    .match(/var CSS =\n([\s\S]*?);\n/)[1]
    .split("\n")
    .map((line) => JSON.parse(line.trim().replace(/^\+ /, "").replace(/ \+$/, "")))
    .join("") + "\n";
const files = {
  "widget.js": await bundle("widget.js"),
  "widget-steps.js": await bundle("steps.js"),
  "widget-proof.js": await bundle("proof.js"),
  "widget.css": css,
};
const budgets = { "widget.js": 4096, "widget-steps.js": 8192, "widget-proof.js": 2048 };

if (mode === "--check") {
  for (const [name, text] of Object.entries(files)) {
    if (readFileSync(join(dist, name), "utf8") !== text) {
      console.error(`widget/dist/${name} is not the build of widget/src: run \`npm run build\` in widget/ and commit.`);
      process.exit(1);
    }
  }
  console.log("widget/dist matches widget/src");
} else if (mode === "--size") {
  let over = false;
  for (const [name, budget] of Object.entries(budgets)) {
    const bytes = Buffer.from(files[name]);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`${name}: ${bytes.length} B raw, ${gzip} B gzip, ${brotli} B brotli (budget ${budget} B gzip)`);
    over ||= gzip > budget;
  }
  if (over) {
    console.error("over budget");
    process.exit(1);
  }
} else {
  mkdirSync(dist, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dist, name), text);
  console.log(`built ${Object.keys(files).map((f) => "widget/dist/" + f).join(", ")}`);
}
