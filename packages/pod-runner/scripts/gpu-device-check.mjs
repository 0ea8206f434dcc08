// GPU device check on a real GPU machine, driven by scripts/gpu-device-check.sh (see there).
// Uses the BUILT packages (./ild setup): discovery, container edits, the booking, pods in their own
// DINDs through the runner. Prints one `PASS|FAIL|SKIP <step>: <detail>` line per step; exit 1 on a FAIL.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDindPool, createDockerClient } from "@ild/dind-pool";
import { createDeviceBook, discoverNvidiaGpus, hostNvidiaEdits } from "@ild/gpu";
import { createRunner, poolPodPaths } from "../dist/index.js";

const out = process.argv[2];
const image = process.argv[3] ?? "ild/python:3-slim-offline";
let failed = false;
const results = [];
function report(verdict, step, detail) {
  const line = `${verdict} ${step}: ${detail}`;
  results.push(line);
  process.stdout.write(`${line}\n`);
  if (verdict === "FAIL") {
    failed = true;
  }
}
const save = (name, text) => writeFile(path.join(out, name), text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function logsOf(runner, podUid, container, predicate, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    try {
      const chunks = [];
      for await (const chunk of await runner.logs(podUid, container)) {
        chunks.push(Buffer.from(chunk));
      }
      text = Buffer.concat(chunks).toString("utf8");
    } catch {}
    if (predicate(text)) {
      return text;
    }
    await sleep(1000);
  }
  return text;
}

const pod = (name, resource, script) => ({
  pod: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "gpu-check", uid: crypto.randomUUID() },
    spec: {
      restartPolicy: "Never",
      containers: [
        { name: "gpu", image, command: ["sh", "-c", script], resources: { limits: { [resource]: "1" } } },
        {
          name: "plain",
          image,
          command: ["sh", "-c", "ls /dev | grep -c nvidia; command -v nvidia-smi || echo no-smi; echo END"],
        },
      ],
    },
  },
  container: [],
});
const SMI =
  "nvidia-smi -L; echo QUERY=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | tr '\\n' ' '); echo NV=$NVIDIA_VISIBLE_DEVICES; echo END; sleep 25";

const root = await mkdtemp(path.join(tmpdir(), "ild-gpu-check-"));
const docker = createDockerClient({});
const dataRoot = path.join(root, "data");
const runRoot = path.join(root, "run");
await mkdir(dataRoot, { recursive: true });
const pool = createDindPool({
  docker,
  poolId: `gpu-check-${process.pid}`,
  size: 0,
  image: "ild/dind:1",
  socketRoot: path.join(root, "s"),
  podPaths: poolPodPaths(dataRoot, runRoot),
});
let runner;
try {
  const discovery = await discoverNvidiaGpus({});
  await save("discovery.json", JSON.stringify(discovery, null, 2));
  if (!discovery.ok || discovery.devices.length === 0) {
    report(
      "FAIL",
      "discovery",
      discovery.ok ? "no bookable device" : `${discovery.reason}: ${discovery.message}`,
    );
    throw new Error("stop");
  }
  report(
    "PASS",
    "discovery",
    `${discovery.gpus.length} GPU(s), ${discovery.devices.length} bookable, driver ${discovery.driverVersion}`,
  );
  const edits = await hostNvidiaEdits(discovery.devices);
  await save("edits.json", JSON.stringify(edits, null, 2));
  if (!edits.ok) {
    report("FAIL", "container-edits", `${edits.code}: ${edits.message}`);
    throw new Error("stop");
  }
  report("PASS", "container-edits", `from ${edits.source}: ${edits.detail}`);
  const book = createDeviceBook({ devices: edits.devices });
  report("PASS", "booking", JSON.stringify(book.capacity()));
  runner = createRunner({
    docker,
    pool,
    dataRoot,
    runRoot,
    runnerId: "gpu-check",
    engine: "dind",
    devices: book,
    secretTmpfs: "off",
    labels: { "io.ild.gpu-check": "1" },
  });

  const runPod = async (name, resource, step) => {
    const input = pod(name, resource, SMI);
    const handle = await runner.start(input);
    const booked = book.allocationOf(handle.podUid)?.containers.gpu?.[0]?.id;
    const text = await logsOf(runner, handle.podUid, "gpu", (t) => t.includes("END"));
    const plain = await logsOf(runner, handle.podUid, "plain", (t) => t.includes("END"));
    await save(`${step}.gpu.log`, text);
    await save(`${step}.plain.log`, plain);
    const listed = text.split("\n").filter((line) => /^\s*(GPU|MIG) /.test(line));
    return { handle, booked, text, plain, listed };
  };

  const a = await runPod("gpu-a", "nvidia.com/gpu", "pod-a");
  const okA = a.booked !== undefined && a.text.includes(`UUID: ${a.booked}`) && a.listed.length === 1;
  report(
    okA ? "PASS" : "FAIL",
    "pod-in-dind nvidia-smi -L",
    `booked ${a.booked}, listed ${JSON.stringify(a.listed)}`,
  );
  const query = /QUERY=(\S*)/.exec(a.text)?.[1];
  report(
    query === a.booked ? "PASS" : "FAIL",
    "pod-in-dind NVML uuid",
    `nvidia-smi --query-gpu=uuid says ${query}`,
  );
  const plainClean = /^0$/m.test(a.plain) && a.plain.includes("no-smi");
  report(plainClean ? "PASS" : "FAIL", "container without a booking", JSON.stringify(a.plain.trim()));

  const whole = edits.devices.filter((d) => d.resource === "nvidia.com/gpu").length;
  if (whole >= 2) {
    const b = await runPod("gpu-b", "nvidia.com/gpu", "pod-b");
    const ok =
      b.booked !== a.booked && b.text.includes(`UUID: ${b.booked}`) && !b.text.includes(`UUID: ${a.booked}`);
    report(ok ? "PASS" : "FAIL", "two pods never share", `${a.booked} vs ${b.booked}`);
    await runner.stop(b.handle, { gracePeriodSeconds: 0 });
  } else if (whole === 1) {
    try {
      await runner.start(pod("gpu-b", "nvidia.com/gpu", SMI));
      report("FAIL", "two pods never share", "a second pod got the only GPU while the first holds it");
    } catch (error) {
      report(
        error?.code === "ILD_DEVICE_UNAVAILABLE" ? "PASS" : "FAIL",
        "two pods never share",
        `second pod refused: ${error?.code} ${error?.message}`,
      );
    }
  } else {
    report("SKIP", "two pods never share", "no whole GPU (MIG mode)");
  }
  await runner.stop(a.handle, { gracePeriodSeconds: 0 });

  const mig = edits.devices.find((d) => d.parentId !== undefined);
  if (mig === undefined) {
    report("SKIP", "mig", "no MIG instance on this machine (MIG mode off)");
  } else {
    const m = await runPod("gpu-mig", mig.resource, "pod-mig");
    const ok =
      m.booked !== undefined &&
      m.text.includes(`UUID: ${m.booked}`) &&
      m.listed.filter((l) => l.trim().startsWith("MIG")).length === 1;
    report(ok ? "PASS" : "FAIL", "mig", `booked ${m.booked}, listed ${JSON.stringify(m.listed)}`);
    await runner.stop(m.handle, { gracePeriodSeconds: 0 });
  }
} catch (error) {
  if (error?.message !== "stop") {
    report("FAIL", "run", String(error?.stack ?? error));
  }
} finally {
  await runner?.close().catch(() => {});
  await pool.close().catch(() => {});
  await rm(root, { recursive: true, force: true }).catch(() => {});
  await save("results.txt", `${results.join("\n")}\n`);
}
process.exit(failed ? 1 : 0);
