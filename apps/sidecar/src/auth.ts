import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Bearer-token check. Both sides are hashed first so the comparison is constant-time and does not leak
 * the token's length. Returns a checker that is always true when no token is configured.
 */
export function createTokenCheck(token: string | undefined): (request: IncomingMessage) => boolean {
  if (token === undefined || token === "") {
    return () => true;
  }
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization;
    if (typeof header !== "string") {
      return false;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || match[1] === undefined) {
      return false;
    }
    return timingSafeEqual(digest(match[1]), expected);
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
