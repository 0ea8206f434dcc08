/**
 * The host's packet filter, driven through `iptables-save` / `iptables-restore` (and the ip6tables
 * pair) as argv-only child processes: no shell, the rules go in on stdin. On these hosts `iptables`
 * is iptables-nft; nothing here ever calls the legacy binaries.
 */
import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import type { IpFamily } from "./egress-rules.js";

export interface HostFirewall {
  /** `iptables-save -t filter` of the family. */
  save(family: IpFamily, options?: { signal?: AbortSignal }): Promise<string>;
  /** `iptables-restore --wait=5 --noflush` of `rules` (one atomic transaction). */
  restore(family: IpFamily, rules: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Whether a network interface of this name exists where the rules apply. */
  hasInterface(name: string): Promise<boolean>;
}

const outputLimit = 4 * 1024 * 1024;

function run(
  command: string,
  args: string[],
  input: string | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe"],
      // the sidecar's PATH may lack the sbin folders
      env: { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin`, LC_ALL: "C" },
      ...(signal === undefined ? {} : { signal }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= outputLimit) {
        stdout.push(chunk);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (Buffer.concat(stderr).length < 64 * 1024) {
        stderr.push(chunk);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && size <= outputLimit) {
        resolve(Buffer.concat(stdout).toString("utf8"));
        return;
      }
      const reason = size > outputLimit ? "output too large" : `exited ${code}`;
      reject(new Error(`${command} ${reason}: ${Buffer.concat(stderr).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => {}); // an early exit is reported by "close"
    child.stdin.end(input ?? "");
  });
}

/** The host's iptables-nft (the process must run as root in the host's network namespace). */
export function createIptablesFirewall(): HostFirewall {
  const binary = (family: IpFamily, tool: "save" | "restore"): string =>
    `${family === 4 ? "iptables" : "ip6tables"}-${tool}`;
  return {
    save: (family, options) => run(binary(family, "save"), ["-t", "filter"], undefined, options?.signal),
    async restore(family, rules, options) {
      await run(binary(family, "restore"), ["--wait=5", "--noflush"], rules, options?.signal);
    },
    async hasInterface(name) {
      if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) {
        return false;
      }
      return access(`/sys/class/net/${name}`).then(
        () => true,
        () => false,
      );
    },
  };
}
