export const LABEL_RUNNER = "io.ild.runner-id";
export const LABEL_POD_UID = "io.ild.pod-uid";
export const LABEL_CONTAINER_NAME = "io.ild.container-name";
export const LABEL_CONTAINER_KIND = "io.ild.container-kind";
export const LABEL_GENERATION = "io.ild.restart-generation";
export const LABEL_DEVICES = "io.ild.devices";
export const SANDBOX_KIND = "sandbox";
export const LABEL_VOLUME = "io.ild.volume-name";
