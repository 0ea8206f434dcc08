import type { Device } from "./device-types.js";
import { DeviceConfigError } from "./errors.js";

/** One configured device: a host path, or an id with several paths handed out together. */
export type GenericDeviceEntry = string | { id: string; paths: string[] };

/** Resource name (e.g. `xilinx.com/fpga`) → the devices that count against it. */
export type GenericDeviceConfig = Record<string, GenericDeviceEntry[]>;

export interface GenericDeviceOptions {
  /**
   * Resources handed out WITHOUT exclusive bookkeeping (the reference plugin's
   * FPGA_DISABLE_BOOKKEEPING=1): `true` for all, or a list of resource names. Several pods may then hold
   * the same device; the book picks the least-used ones.
   */
  shared?: boolean | string[];
}

// Kubernetes extended resource names: `<domain>/<name>`
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Turns a resource → device-path map into bookable devices (vendor `generic`), e.g.
 * `{ "xilinx.com/fpga": ["/dev/dri/renderD128"] }`. Throws DeviceConfigError naming the bad field.
 */
export function genericDevicesFromConfig(
  config: GenericDeviceConfig,
  options: GenericDeviceOptions = {},
): Device[] {
  const devices: Device[] = [];
  const seen = new Map<string, string>();
  for (const [resource, entries] of Object.entries(config)) {
    const field = `devices["${resource}"]`;
    if (!RESOURCE_NAME.test(resource)) {
      throw new DeviceConfigError(field, "resource name must look like <domain>/<name>");
    }
    if (!Array.isArray(entries)) {
      throw new DeviceConfigError(field, "must be a list of device paths");
    }
    const shared =
      options.shared === true || (Array.isArray(options.shared) && options.shared.includes(resource));
    entries.forEach((entry, i) => {
      const entryField = `${field}[${i}]`;
      const id = typeof entry === "string" ? entry : entry?.id;
      const paths = typeof entry === "string" ? [entry] : entry?.paths;
      if (typeof id !== "string" || id === "") {
        throw new DeviceConfigError(entryField, "needs a device path or an { id, paths } object");
      }
      if (!Array.isArray(paths) || paths.length === 0) {
        throw new DeviceConfigError(`${entryField}.paths`, "needs at least one device path");
      }
      paths.forEach((path, j) => {
        if (
          typeof path !== "string" ||
          !path.startsWith("/dev/") ||
          path.includes("..") ||
          /[,:\s]/.test(path)
        ) {
          throw new DeviceConfigError(
            typeof entry === "string" ? entryField : `${entryField}.paths[${j}]`,
            "must be an absolute path under /dev/ without '..', ',', ':' or spaces",
          );
        }
      });
      const previous = seen.get(id);
      if (previous !== undefined) {
        throw new DeviceConfigError(entryField, `device ${id} is already configured at ${previous}`);
      }
      seen.set(id, entryField);
      devices.push({
        resource,
        vendor: "generic",
        id,
        paths: [...paths],
        index: i,
        ...(shared ? { shared: true } : {}),
      });
    });
  }
  return devices;
}
