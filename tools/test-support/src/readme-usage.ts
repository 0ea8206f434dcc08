import { readFileSync } from "node:fs";

/** The Usage code block of a README, without import lines, as trimmed non-empty lines. */
export function readmeUsageLines(readme: string): string[] {
  const usage = readme.slice(readme.indexOf("## Usage"));
  const start = usage.indexOf("```ts\n") + 6;
  return usage
    .slice(start, usage.indexOf("\n```", start))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("import "));
}

/** The lines between the `// --- the README's Usage code ---` and `// --- end ---` markers of a source. */
export function testedUsageLines(source: string): string[] {
  const start = source.lastIndexOf("// --- the README's Usage code ---");
  const end = source.lastIndexOf("// --- end ---");
  return source
    .slice(source.indexOf("\n", start) + 1, end)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * Both sides of "the README shows exactly the code this test runs": the README's Usage lines and the
 * marked lines of the test file at `testFileUrl` (pass `import.meta.url`).
 */
export function readmeAndTestedUsage(
  readmeUrl: URL,
  testFileUrl: string,
): { readme: string[]; tested: string[] } {
  return {
    readme: readmeUsageLines(readFileSync(readmeUrl, "utf8")),
    tested: testedUsageLines(readFileSync(new URL(testFileUrl), "utf8")),
  };
}
