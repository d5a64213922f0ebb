// Compiles the design system into civitas/web/static/web/build/ (not committed; `make install` runs it).
import { compile } from "sass";
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const out = join(here, "..", "static", "web", "build");
mkdirSync(out, { recursive: true });

const result = compile(join(here, "civitas.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "civitas.css"), result.css);
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
// images the compiled CSS refers to (we never display the crest: our header and footer are our own)
cpSync(join(govuk, "assets", "images"), join(out, "images"), { recursive: true });
console.log(`built ${join(out, "civitas.css")} (${result.css.length} bytes)`);
