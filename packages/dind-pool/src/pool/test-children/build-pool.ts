/**
 * Child process of the crash test: starts a pool that begins building DINDs and waits to be
 * SIGKILLed. argv: <socketRoot> <poolId>. Prints "started" once the pool object exists.
 */
import { createDockerClient } from "../../docker/dockerode-client.js";
import { createDindPool } from "../create-dind-pool.js";

const [socketRoot, poolId] = process.argv.slice(2);
if (!socketRoot || !poolId) {
  process.stderr.write("usage: build-pool <socketRoot> <poolId>\n");
  process.exit(2);
}
const pool = createDindPool({
  docker: createDockerClient({ env: {} }),
  poolId,
  size: 2,
  image: "ild/dind:1",
  labels: { "io.ild.test": "@ild/dind-pool" },
  socketRoot,
  securityMode: "hardened",
});
pool.on((event) => process.stdout.write(`${event.type}\n`));
process.stdout.write("started\n");
setInterval(() => {}, 1000);
