import type { ContainerCreateBody } from "@ild/dind-pool";

const NETWORK_SHARED_FIELDS = ["Hostname", "Domainname", "MacAddress", "ExposedPorts"];
const NETWORK_SHARED_HOST_FIELDS = [
  "PortBindings",
  "PublishAllPorts",
  "Dns",
  "DnsSearch",
  "DnsOptions",
  "ExtraHosts",
];

/** Containers that join another namespace may not set what belongs to the namespace's owner. */
export function sanitizeJoinedBody(body: ContainerCreateBody, networkMode: string): ContainerCreateBody {
  if (!(networkMode.startsWith("container:") || networkMode === "host")) {
    return body;
  }
  const copy: ContainerCreateBody = { ...body };
  for (const field of NETWORK_SHARED_FIELDS) {
    delete copy[field];
  }
  const hostConfig = { ...(copy.HostConfig ?? {}) };
  for (const field of NETWORK_SHARED_HOST_FIELDS) {
    delete hostConfig[field];
  }
  hostConfig.NetworkMode = networkMode;
  copy.HostConfig = hostConfig;
  delete copy.NetworkingConfig;
  return copy;
}
