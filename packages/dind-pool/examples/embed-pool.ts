import { createDindPool } from "@ild/dind-pool";

/** The README's embedding example: a warm pool, one lease, one container in the pod's own engine. */
export async function embedPool(socketRoot: string, poolId = "example"): Promise<number> {
  const pool = createDindPool({
    docker: {},
    poolId,
    size: 1,
    image: "ild/dind:1",
    socketRoot,
    preloadImages: ["ild/busybox:1"],
  });
  try {
    await using lease = await pool.acquire({ podUid: "pod-1" }); // destroyed when the block ends
    const id = await lease.docker.createContainer(undefined, {
      Image: "ild/busybox:1",
      Cmd: ["echo", lease.ip],
    });
    await lease.docker.startContainer(id);
    return await lease.docker.waitContainer(id);
  } finally {
    await pool.close(); // warm DINDs are destroyed; leased ones would keep running
  }
}
