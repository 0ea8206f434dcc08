/**
 * Where DINDs keep their images (`Ild.dind.storage`, `tmpfsSize`) and where the pool keeps the seed
 * store and the image cache on the host (`imageStore`, `imageCacheSize`), kept apart from settings.ts.
 * Measured choice of the default storage: docs/configuration.md, "Image storage".
 */
import type { SettingSpec } from "./settings.js";
import * as parse from "./value-parsers.js";

export const dindStorageSettings: readonly SettingSpec[] = [
  {
    key: "dind.storage",
    env: "ILD_DIND_STORAGE",
    parser: parse.oneOf(["tmpfs", "volume"]),
    defaultValue: "volume",
    type: "`tmpfs` \\| `volume`",
    meaning:
      "Where each DIND keeps `/var/lib/docker`: a Docker volume of its own on the host engine's disk (images of any size, no RAM; removed with the DIND), or a tmpfs (faster loads, but every image and container layer lives in RAM).",
  },
  {
    key: "dind.tmpfsSize",
    env: "ILD_DIND_TMPFS_SIZE",
    parser: parse.byteSize,
    defaultValue: 8 * 1024 ** 3,
    defaultText: "`8g`",
    type: "size (`8g`, `512m`, bytes)",
    meaning:
      "Size of that tmpfs with `storage: tmpfs` (config field `dind.tmpfsSizeBytes`). Loading an image needs about twice its size.",
  },
  {
    key: "dind.imageStore",
    env: "ILD_DIND_IMAGE_STORE",
    parser: parse.path,
    defaultText: "`<dataRoot>/image-store`",
    type: "path",
    meaning:
      "Host folder (on disk, never the run root's tmpfs) of the seed store of `preloadImages` and the image cache, in `<imageStore>/<instance>`.",
  },
  {
    key: "dind.imageCacheSize",
    env: "ILD_DIND_IMAGE_CACHE_SIZE",
    parser: parse.byteSize,
    defaultValue: 20 * 1024 ** 3,
    defaultText: "`20g`",
    type: "size (`20g`, `512m`, bytes)",
    meaning:
      "Disk budget of the image cache (`docker save` tars of images delivered to DINDs; config field `dind.imageCacheSizeBytes`). The least recently used tars are evicted; a bigger image is delivered uncached; 1 GiB of the disk always stays free.",
  },
];
