import { describe, expect, it } from "vitest";
import { sanitizeJoinedBody } from "./joined-body.js";

const body = {
  Image: "ild/busybox:1",
  Hostname: "web-0",
  Domainname: "sub.team.svc.cluster.local",
  MacAddress: "02:42:ac:11:00:02",
  ExposedPorts: { "80/tcp": {} },
  HostConfig: {
    Dns: ["10.96.0.10"],
    DnsSearch: ["team.svc.cluster.local"],
    DnsOptions: ["ndots:5"],
    ExtraHosts: ["alias.example:10.1.2.3"],
    PortBindings: { "80/tcp": [{ HostPort: "8080" }] },
  },
};

describe("sanitizeJoinedBody", () => {
  it("keeps the pod's hostname, DNS and host aliases in the DIND's host namespace, with the pod's own entry", () => {
    const result = sanitizeJoinedBody(body, "host", "172.18.0.5");
    expect(result.Hostname).toBe("web-0");
    expect(result.Domainname).toBe("sub.team.svc.cluster.local");
    expect(result.HostConfig).toMatchObject({
      NetworkMode: "host",
      Dns: ["10.96.0.10"],
      DnsSearch: ["team.svc.cluster.local"],
      DnsOptions: ["ndots:5"],
      ExtraHosts: [
        "alias.example:10.1.2.3",
        "web-0.sub.team.svc.cluster.local:172.18.0.5",
        "web-0:172.18.0.5",
      ],
    });
    // what host networking cannot have
    expect(result.MacAddress).toBeUndefined();
    expect(result.ExposedPorts).toBeUndefined();
    expect(result.HostConfig?.PortBindings).toBeUndefined();
  });

  it("strips all of it for a container joining a sandbox (container:), where the sandbox has it", () => {
    const result = sanitizeJoinedBody(body, "container:abc", "172.18.0.5");
    for (const field of ["Hostname", "Domainname", "MacAddress", "ExposedPorts"]) {
      expect(result[field]).toBeUndefined();
    }
    for (const field of ["Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "PortBindings"]) {
      expect(result.HostConfig?.[field]).toBeUndefined();
    }
    expect(result.HostConfig?.NetworkMode).toBe("container:abc");
  });

  it("leaves a body on its own network as it is", () => {
    expect(sanitizeJoinedBody(body, "bridge")).toBe(body);
  });
});
