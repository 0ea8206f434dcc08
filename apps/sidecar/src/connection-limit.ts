import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Counts open client connections over every listener together. A connection opened past `max` is
 * marked: its requests are answered 503 with Retry-After and it is closed (build-server.ts). Past
 * twice `max`, a new connection is closed at once, before anything is read from it.
 */
export interface ConnectionLimit {
  readonly max: number;
  /** Counts the server's connections (call once per listener, before it listens). */
  track(server: Server): void;
  open(): number;
  /** True for a connection that was opened while `max` connections were already open. */
  isOver(socket: Socket): boolean;
}

export function createConnectionLimit(max: number): ConnectionLimit {
  let open = 0;
  const over = new WeakSet<Socket>();
  const onConnection = (socket: Socket): void => {
    if (open >= 2 * max) {
      socket.destroy();
      return;
    }
    open += 1;
    if (open > max) {
      over.add(socket);
    }
    socket.once("close", () => {
      open -= 1;
    });
  };
  return {
    max,
    track(server) {
      server.on("connection", onConnection);
    },
    open: () => open,
    isOver: (socket) => over.has(socket),
  };
}
