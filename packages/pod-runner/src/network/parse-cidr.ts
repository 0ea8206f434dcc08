import { isIP } from "node:net";
import { InvalidPodError } from "../errors.js";

/** Validates an IPv4/IPv6 CIDR (`10.0.0.0/8`, `fd00::/64`); a bare address gets /32 or /128. */
export function parseCidr(value: string, path: string): string {
  const trimmed = value.trim();
  const [address, prefix, ...rest] = trimmed.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) {
    throw new InvalidPodError(path, `${JSON.stringify(value)} is not an IP address or CIDR`);
  }
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) {
    return `${address}/${max}`;
  }
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    throw new InvalidPodError(path, `${JSON.stringify(value)} has an invalid prefix length`);
  }
  return `${address}/${Number(prefix)}`;
}

export function parseIp(value: string, path: string): string {
  const trimmed = value.trim();
  if (isIP(trimmed) === 0) {
    throw new InvalidPodError(path, `${JSON.stringify(value)} is not an IP address`);
  }
  return trimmed;
}
