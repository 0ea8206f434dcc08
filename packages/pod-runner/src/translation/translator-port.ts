import type { ContainerCreateBody } from "@ild/dind-pool";
import type { RetrievedContainer } from "@ild/interlink-api";
import type { ContainerPlan, PodPlan, TranslationIssue } from "@ild/pod-translator";
import type { Pod } from "kubernetes-types/core/v1.js";

/** Options of `toDockerCreateBodies` (the @ild/pod-translator contract). */
export interface DockerBodyOptions {
  podDataDir: string;
  podSecretDir: string;
  networkMode: string;
  ipcMode?: string;
  /** Pod volume name → Docker volume name, for emptyDir medium Memory. */
  memoryVolumeNames?: Record<string, string>;
  labels?: Record<string, string>;
  restartGeneration?: number;
}

export interface RenderedContainer {
  container: ContainerPlan;
  name: string;
  body: ContainerCreateBody;
}

/** What the runner needs of @ild/pod-translator; injectable so tests can hand in plans directly. */
export interface PodTranslator {
  translatePod(input: { pod: Pod; containers: RetrievedContainer[]; options?: Record<string, unknown> }): {
    plan: PodPlan;
    warnings: TranslationIssue[];
  };
  toDockerCreateBodies(plan: PodPlan, options: DockerBodyOptions): RenderedContainer[];
}

/** Loads the real translator lazily (it is a sibling package, built in parallel). */
export async function loadDefaultTranslator(): Promise<PodTranslator> {
  const module = (await import("@ild/pod-translator")) as unknown as Partial<PodTranslator>;
  if (typeof module.translatePod !== "function" || typeof module.toDockerCreateBodies !== "function") {
    throw new Error("@ild/pod-translator does not export translatePod/toDockerCreateBodies");
  }
  return { translatePod: module.translatePod, toDockerCreateBodies: module.toDockerCreateBodies };
}
