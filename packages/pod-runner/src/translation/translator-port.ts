import {
  type DockerCreateBody,
  type DockerRenderContext,
  type TranslatePodInput,
  type TranslatePodResult,
  toDockerCreateBodies,
  translatePod,
} from "@ild/pod-translator";

export type DockerBodyOptions = DockerRenderContext;
export type RenderedContainer = DockerCreateBody;

/** What the runner needs of @ild/pod-translator; injectable so tests can wrap or replace it. */
export interface PodTranslator {
  translatePod(input: TranslatePodInput): TranslatePodResult;
  toDockerCreateBodies(plan: TranslatePodResult["plan"], context: DockerRenderContext): DockerCreateBody[];
}

export const defaultTranslator: PodTranslator = { translatePod, toDockerCreateBodies };
