import type { PodSpec } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import { checkDnsLabel } from "./paths.js";
import type { PodPlan } from "./plan-types.js";

const dnsPolicies = new Set(["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]);
const hostnamePattern = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export interface PodNetworkPlan {
  hostname: string;
  subdomain?: string;
  domainname?: string;
  hostAliases: PodPlan["hostAliases"];
  dns: PodPlan["dns"];
}

/**
 * The pod's network identity, shared by all its containers: hostname (spec.hostname, else the pod name cut to
 * 63 characters as the kubelet does), subdomain FQDN, /etc/hosts aliases and DNS settings.
 */
export function planPodNetwork(
  spec: PodSpec,
  podName: string,
  namespace: string,
  clusterDomain: string | undefined,
  issues: IssueCollector,
): PodNetworkPlan {
  let hostname = podName.slice(0, 63).replace(/[-.]+$/, "");
  if (spec.hostname) {
    const problem = checkDnsLabel(spec.hostname);
    if (problem) {
      issues.error("spec.hostname", `"${spec.hostname}" ${problem}`);
    }
    hostname = spec.hostname;
  }
  const dnsPolicy = spec.dnsPolicy ?? "ClusterFirst";
  if (!dnsPolicies.has(dnsPolicy)) {
    issues.error("spec.dnsPolicy", `"${dnsPolicy}" is not a DNS policy`);
  }
  const dnsConfig = spec.dnsConfig ?? {};
  if (dnsPolicy === "None" && (dnsConfig.nameservers ?? []).length === 0) {
    issues.error("spec.dnsConfig.nameservers", 'at least one nameserver is required with dnsPolicy "None"');
  }
  if (dnsPolicy === "ClusterFirstWithHostNet") {
    issues.warn("spec.dnsPolicy", "ClusterFirstWithHostNet is treated as ClusterFirst");
  }
  const hostAliases: PodPlan["hostAliases"] = [];
  (spec.hostAliases ?? []).forEach((alias, index) => {
    if (!alias.ip || !/^[0-9a-fA-F.:]+$/.test(alias.ip)) {
      issues.error(`spec.hostAliases[${index}].ip`, `"${alias.ip ?? ""}" is not an IP address`);
      return;
    }
    const hostnames = alias.hostnames ?? [];
    const bad = hostnames.find((entry) => !hostnamePattern.test(entry));
    if (bad !== undefined) {
      issues.error(`spec.hostAliases[${index}].hostnames`, `"${bad}" is not a valid hostname`);
      return;
    }
    hostAliases.push({ ip: alias.ip, hostnames: [...hostnames] });
  });
  const network: PodNetworkPlan = {
    hostname,
    hostAliases,
    dns: {
      nameservers: [...(dnsConfig.nameservers ?? [])],
      searches: [...(dnsConfig.searches ?? [])],
      options: (dnsConfig.options ?? []).map((option) =>
        option.value === undefined || option.value === null
          ? { name: option.name ?? "" }
          : { name: option.name ?? "", value: option.value },
      ),
      policy: dnsPolicy as NonNullable<PodPlan["dns"]["policy"]>,
    },
  };
  if (spec.subdomain) {
    const problem = checkDnsLabel(spec.subdomain);
    if (problem) {
      issues.error("spec.subdomain", `"${spec.subdomain}" ${problem}`);
    }
    network.subdomain = spec.subdomain;
    network.domainname = `${spec.subdomain}.${namespace}.svc.${clusterDomain ?? "cluster.local"}`;
  }
  return network;
}
