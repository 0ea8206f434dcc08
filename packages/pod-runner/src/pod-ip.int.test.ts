import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podInput, shell } from "./test-support/pods.js";
import { asHandle, createTestRunner, readAll, type TestRunner } from "./test-support/runner-fixture.js";

let fixture: TestRunner;
const network = `ild-test-podip-${randomBytes(3).toString("hex")}`;
const octet = 200 + Math.floor(Math.random() * 50);
const subnet = `10.${octet}.7.0/24`;
const podIp = `10.${octet}.7.50`;

beforeAll(async () => {
  fixture = await createTestRunner("pod-ip");
  await fixture.docker.createNetwork({
    Name: network,
    Driver: "bridge",
    Labels: { "io.ild.test": "pod-runner", "io.ild.runner-id": fixture.options.runnerId ?? "" },
    IPAM: { Config: [{ Subnet: subnet, Gateway: `10.${octet}.7.1` }] },
  });
  fixture.options.podIpNetwork = {
    network,
    routes: [{ cidr: "10.96.0.0/12", via: `10.${octet}.7.1` }],
    dnsServers: ["10.96.0.10"],
  };
  fixture.runner = fixture.restart();
});

afterAll(async () => {
  await fixture.cleanup();
  await fixture.docker.removeNetwork(network);
});

describe("interlink.eu/pod-ip", () => {
  it("attaches the sandbox to the configured network with that address, its routes and cluster DNS", async () => {
    const input = podInput(
      "pod-ip",
      {
        restartPolicy: "Never",
        dnsPolicy: "Default",
        containers: [shell("main", "ip -4 addr; ip route; cat /etc/resolv.conf")],
      },
      { annotations: { "interlink.eu/pod-ip": podIp } },
    );
    const handle = asHandle(await fixture.runner.start(input));
    const final = await fixture.runner.waitForCompletion(handle, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Succeeded");
    expect(final.podIp).toBe(podIp);
    const logs = await readAll(await fixture.runner.logs(handle.podUid, "main"));
    expect(logs).toContain(`inet ${podIp}/24`);
    expect(logs).toContain(`10.96.0.0/12 via 10.${octet}.7.1`);
    // on a user-defined network Docker's embedded resolver forwards to the sandbox's DNS servers
    const sandbox = await fixture.docker.inspectContainer(handle.jobId);
    expect((sandbox.raw.HostConfig as { Dns?: string[] }).Dns).toEqual(["10.96.0.10"]);
    await fixture.runner.stop(handle);
  });

  it("refuses a value that is not an IP address, before creating anything", async () => {
    const input = podInput(
      "bad-ip",
      { containers: [shell("main", "true")] },
      { annotations: { "interlink.eu/pod-ip": "10.0.0.5; reboot" } },
    );
    await expect(fixture.runner.start(input)).rejects.toMatchObject({ code: "ILD_RUNNER_INVALID_POD" });
    expect(
      await fixture.docker.listContainers({
        all: true,
        label: [`io.ild.pod-uid=${input.pod.metadata?.uid}`],
      }),
    ).toEqual([]);
  });
});
