#!/usr/bin/env node
import { parseCli, readVersion, USAGE } from "./cli.js";

/** ild-sidecar [--config FILE] [--help] [--version]; the packages load only when it really starts. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(argv);
  } catch (error) {
    console.error(`ild-sidecar: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  if (cli.version) {
    console.log(readVersion());
    return;
  }
  const { runSidecar } = await import("./run-sidecar.js");
  await runSidecar(cli.configPath === undefined ? {} : { configPath: cli.configPath }, env);
}

await main(process.argv.slice(2), process.env);
