import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Everything on the host engine labelled with this instance (pool id or runner id). */
export async function labelledObjects(
  instance: string,
): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const list = async (kind: "container" | "network" | "volume", label: string) => {
    const args =
      kind === "container"
        ? ["ps", "-a", "-q", "--filter", `label=${label}`]
        : [kind, "ls", "-q", "--filter", `label=${label}`];
    const { stdout } = await run("docker", args);
    return stdout.split("\n").filter((line) => line.trim() !== "");
  };
  const unique = async (kind: "container" | "network" | "volume") => [
    ...new Set([
      ...(await list(kind, `io.ild.pool-id=${instance}`)),
      ...(await list(kind, `io.ild.runner-id=${instance}`)),
    ]),
  ];
  return {
    containers: await unique("container"),
    networks: await unique("network"),
    volumes: await unique("volume"),
  };
}

/** Test clean-up: removes what this instance left (only objects carrying its labels). */
export async function removeLabelled(instance: string): Promise<void> {
  const objects = await labelledObjects(instance);
  if (objects.containers.length > 0) {
    await run("docker", ["rm", "-fv", ...objects.containers]).catch(() => undefined);
  }
  for (const network of objects.networks) {
    await run("docker", ["network", "rm", network]).catch(() => undefined);
  }
  if (objects.volumes.length > 0) {
    await run("docker", ["volume", "rm", "-f", ...objects.volumes]).catch(() => undefined);
  }
}
