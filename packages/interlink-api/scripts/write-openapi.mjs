// Writes openapi.json from the built package: `pnpm --filter @ild/interlink-api openapi`.
import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "../dist/index.js";

const target = new URL("../openapi.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
