import { readdirSync, readFileSync } from "node:fs";
import type { RetrievedContainer } from "@ild/interlink-api";
import { load, YAML11_SCHEMA } from "js-yaml";
import type { Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import type { PodPlan } from "./plan-types.js";
import { type DockerRenderContext, toDockerCreateBodies } from "./to-docker-create-bodies.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

const fixturesDir = new URL("../test/fixtures/pods/", import.meta.url);

interface Fixture {
  pod: Pod;
  container?: RetrievedContainer[];
  options?: TranslatePodOptions;
}

function loadFixture(name: string): Fixture {
  return load(readFileSync(new URL(name, fixturesDir), "utf8"), { schema: YAML11_SCHEMA }) as Fixture;
}

/** Context as the host engine sees a pod: members join a sandbox's namespaces. */
function hostEngineContext(plan: PodPlan): DockerRenderContext {
  const podDir = `${plan.namespace}-${plan.uid}`;
  return {
    podDataDir: `/var/lib/ild/pods/${podDir}`,
    podSecretDir: `/run/ild/secrets/${podDir}`,
    networkMode: "container:sandbox-0123",
    ipcMode: "container:sandbox-0123",
    memoryVolumeNames: Object.fromEntries(
      plan.volumes
        .filter((volume) => volume.medium === "memory")
        .map((volume) => [volume.name, `ild-${plan.uid}-${volume.name}`]),
    ),
    labels: { "io.ild.pool-id": "test-pool" },
  };
}

/** A plan with file contents shown as text (or base64) so snapshots stay readable. */
function readablePlan(plan: PodPlan): unknown {
  return {
    ...plan,
    files: plan.files.map((file) => {
      const text = Buffer.from(file.content).toString("utf8");
      const isText = Buffer.from(text, "utf8").equals(Buffer.from(file.content)) && !text.includes("\0");
      return {
        ...file,
        mode: `0${file.mode.toString(8)}`,
        content: isText ? text : `base64:${Buffer.from(file.content).toString("base64")}`,
      };
    }),
    directories: plan.directories?.map((directory) => ({
      ...directory,
      mode: `0${directory.mode.toString(8)}`,
    })),
  };
}

const fixtureNames = readdirSync(fixturesDir)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

describe("vk-test-set style pods", () => {
  it("has the fixtures", () => {
    expect(fixtureNames.length).toBeGreaterThanOrEqual(14);
  });

  for (const name of fixtureNames) {
    it(`${name}: plan and Docker bodies match the snapshot`, async () => {
      const fixture = loadFixture(name);
      const input: Parameters<typeof translatePod>[0] = {
        pod: fixture.pod,
        containers: fixture.container ?? [],
      };
      if (fixture.options) {
        input.options = fixture.options;
      }
      const { plan, warnings } = translatePod(input);
      const bodies = toDockerCreateBodies(plan, hostEngineContext(plan));
      const rendered = JSON.stringify(
        {
          warnings,
          plan: readablePlan(plan),
          docker: bodies.map(({ name: containerName, body }) => ({ name: containerName, body })),
        },
        null,
        2,
      );
      await expect(`${rendered}\n`).toMatchFileSnapshot(
        `./__snapshots__/pods/${name.replace(/\.yaml$/, "")}.json`,
      );
      // No body ever gets a shell we made up, and nothing is published.
      for (const { container, body } of bodies) {
        const argv = [...(body.Entrypoint ?? []), ...(body.Cmd ?? [])];
        const own = [...(container.entrypoint ?? []), ...(container.cmd ?? [])];
        expect(argv).toEqual(own);
        expect(JSON.stringify(body.HostConfig)).not.toMatch(/PortBindings|PublishAllPorts|"Privileged"/);
      }
    });
  }
});
