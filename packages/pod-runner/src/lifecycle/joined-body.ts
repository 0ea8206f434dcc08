import type { ContainerCreateBody } from "@ild/dind-pool";

/** What a container joining another's network namespace (`container:`) may not set: the owner has it. */
const JOINED_FIELDS = ["Hostname", "Domainname", "MacAddress", "ExposedPorts"];
const JOINED_HOST_FIELDS = [
  "PortBindings",
  "PublishAllPorts",
  "Dns",
  "DnsSearch",
  "DnsOptions",
  "ExtraHosts",
];
/** What host networking (the pod's containers inside a DIND) cannot have; hostname, DNS and hosts it can. */
const HOST_FIELDS = ["MacAddress", "ExposedPorts"];
const HOST_HOST_FIELDS = ["PortBindings", "PublishAllPorts"];

/**
 * Containers that share a namespace may not set what belongs to its owner. A `container:` member gets
 * nothing of the pod's network identity (its sandbox has it). In `host` mode (a DIND's namespaces are
 * the pod's) Docker gives each container its own hostname, resolv.conf and hosts file: the pod's
 * hostname, dnsConfig and hostAliases stay, and the pod's own name maps to `podIp`, as the kubelet
 * writes it into /etc/hosts.
 */
export function sanitizeJoinedBody(
  body: ContainerCreateBody,
  networkMode: string,
  podIp?: string,
): ContainerCreateBody {
  const joined = networkMode.startsWith("container:");
  if (!(joined || networkMode === "host")) {
    return body;
  }
  const copy: ContainerCreateBody = { ...body };
  for (const field of joined ? JOINED_FIELDS : HOST_FIELDS) {
    delete copy[field];
  }
  const hostConfig = { ...(copy.HostConfig ?? {}) };
  for (const field of joined ? JOINED_HOST_FIELDS : HOST_HOST_FIELDS) {
    delete hostConfig[field];
  }
  if (!joined && podIp !== undefined && podIp !== "" && typeof copy.Hostname === "string" && copy.Hostname) {
    const names =
      typeof copy.Domainname === "string" && copy.Domainname
        ? [`${copy.Hostname}.${copy.Domainname}`, copy.Hostname]
        : [copy.Hostname];
    const extra = Array.isArray(hostConfig.ExtraHosts) ? (hostConfig.ExtraHosts as string[]) : [];
    hostConfig.ExtraHosts = [...extra, ...names.map((name) => `${name}:${podIp}`)];
  }
  hostConfig.NetworkMode = networkMode;
  copy.HostConfig = hostConfig;
  delete copy.NetworkingConfig;
  return copy;
}
