import type { Logger } from "@ild/common";
import { HookFailedError } from "../errors.js";
import type { Hook, HookContext, HookPhase } from "../runner-types.js";

/** Hooks in the order they run: priority ascending, then name (stable and predictable). */
export function orderHooks(hooks: Hook[]): Hook[] {
  return [...hooks].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
}

export function selectHooks(registered: Hook[], enabled: string[] | undefined): Hook[] {
  const byName = new Map<string, Hook>();
  for (const hook of registered) {
    byName.set(hook.name, hook);
  }
  if (enabled === undefined) {
    return orderHooks([...byName.values()]);
  }
  const chosen: Hook[] = [];
  for (const name of enabled) {
    const hook = byName.get(name);
    if (hook === undefined) {
      throw new HookFailedError(name, "config", "no hook registered under this name");
    }
    chosen.push(hook);
  }
  return orderHooks(chosen);
}

export function hooksFor(hooks: Hook[], phase: HookPhase): Hook[] {
  return hooks.filter((hook) => hook.phases[phase] !== undefined);
}

const stopPhases: HookPhase[] = ["pre-stop", "post-stop"];

/**
 * Runs one phase's hooks in order. A failing pre-* or post-run hook throws HookFailedError (the pod
 * fails with its message); a failing pre-stop/post-stop hook is logged and the next one runs.
 */
export async function runHookPhase(
  hooks: Hook[],
  phase: HookPhase,
  context: HookContext,
  logger: Logger,
): Promise<void> {
  for (const hook of hooksFor(hooks, phase)) {
    const run = hook.phases[phase];
    if (run === undefined) {
      continue;
    }
    try {
      await run(context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (stopPhases.includes(phase)) {
        logger.warn({ hook: hook.name, phase, podUid: context.podUid, error: message }, "stop hook failed");
        continue;
      }
      throw new HookFailedError(hook.name, phase, message, { cause: error });
    }
  }
}
