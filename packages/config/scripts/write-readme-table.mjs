// Refreshes the settings tables in README.md from the built package: `pnpm --filter @ild/config docs`.
import { readFileSync, writeFileSync } from "node:fs";
import { renderSettingsTable } from "../dist/index.js";

const file = new URL("../README.md", import.meta.url);
const start = "<!-- settings-table:start -->";
const end = "<!-- settings-table:end -->";
const readme = readFileSync(file, "utf8");
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
writeFileSync(file, `${before}\n${renderSettingsTable()}\n${after}`);
process.stdout.write(`updated ${file.pathname}\n`);
