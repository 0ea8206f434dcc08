import type { HandlerPlan } from "@ild/pod-translator";
import { defaultTranslator, type PodTranslator } from "../translation/translator-port.js";

function aimAt(handler: HandlerPlan | undefined, host: string): void {
  if (handler !== undefined && (handler.kind === "httpGet" || handler.kind === "tcpSocket")) {
    handler.host = host;
  }
}

/**
 * The default translator, then `host` set on every httpGet/tcpSocket probe and lifecycle handler of
 * the plan: what a plan could carry whatever the policy in front of the runner let through.
 */
export function hostAimingTranslator(host: string): PodTranslator {
  return {
    ...defaultTranslator,
    translatePod(input) {
      const result = defaultTranslator.translatePod(input);
      for (const container of [...result.plan.initContainers, ...result.plan.containers]) {
        for (const probe of Object.values(container.probes)) {
          aimAt(probe?.handler, host);
        }
        aimAt(container.lifecycle.postStart, host);
        aimAt(container.lifecycle.preStop, host);
      }
      return result;
    },
  };
}
