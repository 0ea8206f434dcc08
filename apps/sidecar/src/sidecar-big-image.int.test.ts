/**
 * The REAL sidecar in the default configuration (DINDs on their own disk volume, seed store and image
 * cache under the data root, the run root a 256 MiB tmpfs the sidecar mounts itself) with a 525 MB
 * image that is not preloaded: two pods run python + numpy from it, the first through `docker save`,
 * the second from the cached tar. Nothing of it lands on the run root's tmpfs; nothing is left after.
 */
import { readdir, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { Pod } from "@ild/interlink-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelledObjects, removeLabelled } from "./test-support/docker-leaks.js";
import {
  closeClients,
  type InterlinkLike,
  interlinkLike,
  logRequest,
} from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, retrieved } from "./test-support/pods.js";
import { type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { containerState, waitFor, waitRunning } from "./test-support/wait.js";

/** Built offline by scripts/docker-env.sh (Debian + python3, numpy, OpenBLAS, gcc, nginx, rclone). */
const BIG = "ild/python-big:1";
const TMPFS_MAGIC = 0x01021994;

let sidecar: SidecarProcess;
let client: InterlinkLike;

beforeAll(async () => {
  // no storage settings at all: the defaults are under test
  sidecar = await startSidecarProcess({ runRootOnDisk: true, testLabel: "apps-sidecar-big-image" });
  client = interlinkLike({ port: sidecar.port as number });
}, 180_000);

afterAll(async () => {
  await closeClients();
  await sidecar?.stop("SIGTERM");
  if (sidecar !== undefined) {
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  }
}, 180_000);

function numpyPod(name: string): Pod {
  return makePod(name, {
    containers: [
      {
        name: "main",
        image: BIG,
        command: [
          "python3",
          "-c",
          "import numpy, time; m = numpy.arange(6).reshape(2, 3); print('numpy', numpy.__version__, 'sum', int(m.sum()), 'dot', (m @ m.T).tolist(), flush=True); time.sleep(3600)",
        ],
      },
    ],
  });
}

async function runsNumpy(pod: Pod): Promise<void> {
  const answer = await client.create(retrieved(pod));
  expect(answer.status, answer.body).toBe(200);
  await waitRunning(client, pod, "main", 150_000);
  const logs = await waitFor(
    `numpy's output in ${pod.metadata?.name}`,
    async () => {
      const answer = await client.logs(logRequest(pod, "main"));
      return answer.status === 200 && answer.body.includes("dot") ? answer.body : undefined;
    },
    60_000,
  );
  expect(logs).toMatch(/^numpy \d+\.\d+\.\d+ sum 15 dot \[\[5, 14\], \[14, 50\]\]\n$/);
}

describe("a 525 MB image, not preloaded, in the default configuration", () => {
  it("two pods reach Running and compute with numpy; the image comes from disk, never the run root's tmpfs", async () => {
    // every DIND's preloaded images are verified after boot (the default seed serves them)
    await sidecar.waitForLine(
      (line) => /^DIND \S+: preloaded image\(s\) .* served by the seed store$/.test(String(line.msg)),
      120_000,
    );
    expect((await statfs(sidecar.runRoot)).type).toBe(TMPFS_MAGIC);
    const first = numpyPod("numpy-first");
    await runsNumpy(first);
    // the pod's DIND keeps /var/lib/docker on a volume of its own
    const dataVolumes = (await labelledObjects(sidecar.instance)).volumes.filter((name) =>
      name.endsWith("-data"),
    );
    expect(dataVolumes.length).toBeGreaterThanOrEqual(1);
    // the tar is cached on disk under the data root
    const cache = join(sidecar.dataRoot, "image-store", sidecar.instance, "images");
    expect((await readdir(cache)).filter((name) => name.endsWith(".tar"))).toHaveLength(1);
    const second = numpyPod("numpy-second");
    await runsNumpy(second);
    expect((await client.delete(first)).status).toBe(200);
    expect((await client.delete(second)).status).toBe(200);
    // nothing of the image store under the run root (the 256 MiB tmpfs)
    expect(await readdir(join(sidecar.runRoot, "dind", sidecar.instance))).not.toContainEqual(
      expect.stringMatching(/^(seed-|images$)/),
    );
  }, 400_000);

  it("stopping the sidecar leaves no DIND, network or volume behind", async () => {
    expect(await sidecar.stop("SIGTERM")).toBe(0);
    expect(await labelledObjects(sidecar.instance)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 120_000);
});

describe("an image that does not fit", () => {
  it("a 256 MiB tmpfs: the container waits with a message that says why (what kubectl describe shows)", async () => {
    const small = await startSidecarProcess({
      ild: { dind: { storage: "tmpfs", tmpfsSize: "256m", preloadImages: [BUSYBOX] } },
      testLabel: "apps-sidecar-big-image",
    });
    const smallClient = interlinkLike({ port: small.port as number });
    try {
      const pod = numpyPod("too-big");
      expect((await smallClient.create(retrieved(pod))).status).toBe(200);
      const waiting = await waitFor("the does-not-fit message", async () => {
        const [status] = await smallClient.status([pod]);
        const state = status === undefined ? undefined : containerState(status, "main")?.state?.waiting;
        return state?.reason === "CreateContainerError" ? state : undefined;
      });
      // the image's own size, whatever the packages weigh today
      expect(waiting.message).toMatch(
        /^image ild\/python-big:1 \(5\d\d MB\): does not fit in the DIND's image storage \(loading needs about 1\.\d GB\): \/var\/lib\/docker is a 256 MiB tmpfs \(in RAM\); raise Ild\.dind\.tmpfsSize \(ILD_DIND_TMPFS_SIZE\) or use Ild\.dind\.storage: volume \(on disk, the default\)$/,
      );
      expect((await smallClient.delete(pod)).status).toBe(200);
    } finally {
      await small.stop("SIGTERM");
      await removeLabelled(small.instance);
      await small.cleanup();
    }
  }, 180_000);
});
