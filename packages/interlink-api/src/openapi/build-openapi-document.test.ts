import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./build-openapi-document.js";

function collectRefs(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      collectRefs(item, out);
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") {
        out.add(child);
      } else {
        collectRefs(child, out);
      }
    }
  }
  return out;
}

describe("buildOpenApiDocument", () => {
  const document = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, Record<string, unknown>> };
  };

  it("describes exactly interLink's four paths, with bodies on the GETs", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual(["/create", "/delete", "/getLogs", "/status"]);
    expect(Object.keys(document.paths["/status"] ?? {})).toEqual(["get"]);
    expect(document.paths["/status"]?.get?.requestBody).toBeDefined();
    expect(document.paths["/getLogs"]?.get?.requestBody).toBeDefined();
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(Object.keys(operation.responses)).toEqual(["200", "400", "500"]);
      }
    }
  });

  it("generates the components from the zod schemas, every $ref resolves, no JSON Schema $id leaks", () => {
    const schemas = document.components.schemas;
    for (const ref of collectRefs(document, new Set())) {
      expect(ref.startsWith("#/components/schemas/")).toBe(true);
      expect(schemas[ref.slice("#/components/schemas/".length)], ref).toBeDefined();
    }
    for (const schema of Object.values(schemas)) {
      expect(schema.$id).toBeUndefined();
      expect(schema.$schema).toBeUndefined();
    }
    expect(schemas.RetrievedContainer?.properties).toHaveProperty("projectedvolumemaps");
    expect(schemas.LogStruct?.required).toEqual(["Namespace", "PodUID", "PodName", "ContainerName"]);
    expect(schemas.Pod?.additionalProperties).toEqual({});
  });

  it("matches the committed openapi.json (regenerate with `pnpm --filter @ild/interlink-api openapi`)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
