/** Small pods and helpers for the policy tests (test-only). */
import type { Container, Pod, PodSpec } from "kubernetes-types/core/v1.js";
import { PodTranslationError } from "../errors.js";
import type { TranslationIssue } from "../plan-types.js";
import { translatePod } from "../translate-pod.js";
import type { TranslationPolicy } from "./levels.js";

export function container(extra: Partial<Container> = {}): Container {
  return { name: "main", image: "ild/busybox:1", ...extra };
}

export function pod(spec: Partial<PodSpec> = {}, annotations?: Record<string, string>): Pod {
  return {
    metadata: { name: "p", uid: "u-1", ...(annotations ? { annotations } : {}) },
    spec: { containers: [container()], ...spec },
  };
}

/** The errors translating the pod gives ([] when it translates). */
export function refusals(subject: Pod, policy?: TranslationPolicy): TranslationIssue[] {
  try {
    translatePod({ pod: subject, ...(policy ? { options: { policy } } : {}) });
    return [];
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
}
