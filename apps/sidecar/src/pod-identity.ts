import { RequestValidationError } from "./errors.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Kubernetes UIDs are UUIDs; anything made of letters, digits and dashes is accepted (hand-made test UIDs). */
const UID = /^[A-Za-z0-9]([-A-Za-z0-9]{0,126}[A-Za-z0-9])?$/;

/**
 * Defence in depth before anything reaches the runner: the identifiers ild uses in labels, container
 * names and paths must have the shape Kubernetes guarantees, so `../`, spaces, quotes or `;` never pass.
 */
export function checkPodUid(what: string, path: string, uid: string): void {
  if (!UID.test(uid)) {
    throw new RequestValidationError(
      what,
      path,
      `must be a Kubernetes UID (letters, digits and '-'), got ${quote(uid)}`,
    );
  }
}

export function checkPodIdentity(
  what: string,
  prefix: string,
  metadata: { name?: string | undefined; namespace?: string | undefined; uid?: string | undefined },
): void {
  checkPodUid(what, `${prefix}metadata.uid`, metadata.uid ?? "");
  if (metadata.name !== undefined && !DNS_SUBDOMAIN.test(metadata.name)) {
    throw new RequestValidationError(
      what,
      `${prefix}metadata.name`,
      `must be a DNS subdomain (lowercase letters, digits, '-' and '.'), got ${quote(metadata.name)}`,
    );
  }
  if (metadata.namespace !== undefined && !DNS_LABEL.test(metadata.namespace)) {
    throw new RequestValidationError(
      what,
      `${prefix}metadata.namespace`,
      `must be a DNS label (lowercase letters, digits and '-'), got ${quote(metadata.namespace)}`,
    );
  }
}

export function checkContainerNames(
  what: string,
  prefix: string,
  spec: { containers?: Array<{ name?: string }> | null; initContainers?: Array<{ name?: string }> | null },
): void {
  for (const list of ["initContainers", "containers"] as const) {
    for (const [index, container] of (spec[list] ?? []).entries()) {
      const name = container.name ?? "";
      if (!DNS_LABEL.test(name)) {
        throw new RequestValidationError(
          what,
          `${prefix}spec.${list}[${index}].name`,
          `must be a DNS label (lowercase letters, digits and '-'), got ${quote(name)}`,
        );
      }
    }
  }
}

export function checkContainerName(what: string, path: string, name: string): void {
  if (!DNS_LABEL.test(name)) {
    throw new RequestValidationError(what, path, `must be a DNS label, got ${quote(name)}`);
  }
}

function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}
