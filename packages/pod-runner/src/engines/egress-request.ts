/**
 * What the dind engine asks the pool for a pod's egress. The pool enforces IPv4 CIDRs on the DIND's
 * own bridge on the host and drops all other IPv6 traffic of a restricted DIND, so IPv6 entries
 * only ever narrow (they are not passed on). A second network attached for a fixed pod IP would
 * leave through another bridge, outside those rules: that combination is refused.
 */
import { isIP } from "node:net";
import type { AcquireOptions } from "@ild/dind-pool";
import { InvalidPodError } from "../errors.js";
import type { SandboxRequest } from "./sandbox-engine.js";

export function egressAcquireOptions(request: SandboxRequest): Pick<AcquireOptions, "egress"> {
  if (request.egress === undefined) {
    return {};
  }
  if (request.podIp !== undefined) {
    throw new InvalidPodError(
      'metadata.annotations["interlink.eu/pod-ip"]',
      "a fixed pod IP cannot be combined with an egress allow-list (the extra network is not filtered)",
    );
  }
  return {
    egress: { allowCidrs: request.egress.filter((cidr) => isIP(cidr.split("/")[0] ?? "") === 4) },
  };
}
