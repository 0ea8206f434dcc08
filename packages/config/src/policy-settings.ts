/**
 * The security policy settings (`Ild.policy.*` without egress), kept apart from settings.ts. The rules
 * themselves live in @ild/pod-translator's policy layer; these only choose the level and the opt-ins.
 */
import type { SettingSpec } from "./settings.js";
import type { ValueParser } from "./value-parsers.js";
import * as parse from "./value-parsers.js";

/** `deny` | `allow`; `capabilities` (the old name) reads as `allow`. */
const privilegedPolicy: ValueParser<"deny" | "allow"> = {
  expected: "one of 'deny', 'allow' ('capabilities' is the old name of 'allow')",
  parse(raw, baseDir) {
    const result = parse.oneOf(["deny", "allow", "capabilities"]).parse(raw, baseDir);
    if (!result.ok) {
      return { ok: false, message: `expected ${privilegedPolicy.expected}` };
    }
    return { ok: true, value: result.value === "deny" ? "deny" : "allow" };
  },
};

export const policySettings: readonly SettingSpec[] = [
  {
    key: "policy.level",
    env: "ILD_POLICY_LEVEL",
    parser: parse.oneOf(["baseline", "restricted", "privileged"]),
    defaultValue: "baseline",
    type: "`baseline` \\| `restricted` \\| `privileged`",
    meaning:
      "Pod Security Standards level every pod is checked against (400 naming the field and the policy): `baseline` refuses host namespaces, hostPort, added capabilities beyond the baseline set, Unconfined seccomp/AppArmor, unsafe sysctls, SELinux overrides, probe hosts; `restricted` also requires non-root, no privilege escalation, capabilities drop ALL, a seccomp profile and the restricted volume types; `privileged` refuses nothing by level.",
  },
  {
    key: "policy.privileged",
    env: "ILD_POLICY_PRIVILEGED",
    parser: privilegedPolicy,
    defaultValue: "deny",
    type: "`deny` \\| `allow` (`capabilities` = `allow`)",
    meaning:
      "A container asking for `privileged: true` is refused (`deny`), or runs privileged inside its own DIND (`allow`): all capabilities but SYS_RESOURCE, seccomp and AppArmor unconfined, no masked paths, /dev/fuse when the DIND has it, Bidirectional mount propagation; never `--privileged`.",
  },
  {
    key: "policy.hostPathAllowList",
    env: "ILD_POLICY_HOST_PATH_ALLOW_LIST",
    parser: parse.absolutePathList,
    defaultValue: [],
    type: "list of absolute paths",
    meaning:
      "Host path prefixes hostPath volumes may use (at every level; normalised paths). Empty: hostPath volumes are refused.",
  },
];
