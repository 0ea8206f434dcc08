import { describe, expect, it } from "vitest";
import {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerUnavailableError,
} from "./docker-errors.js";
import { isAbortError, toDockerError } from "./to-docker-error.js";

function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

describe("toDockerError", () => {
  it("maps 404 and 409 to typed errors with the engine's message and a stable code", () => {
    const notFound = toDockerError("container.inspect", modemError(404, "No such container: x"));
    expect(notFound).toBeInstanceOf(DockerNotFoundError);
    expect(notFound).toMatchObject({ code: "ILD_DOCKER_NOT_FOUND", statusCode: 404 });
    expect(notFound.message).toBe("container.inspect: No such container: x");
    const conflict = toDockerError("container.create", modemError(409, 'name "/a" is already in use'));
    expect(conflict).toBeInstanceOf(DockerConflictError);
    expect(conflict).toMatchObject({ code: "ILD_DOCKER_CONFLICT", statusCode: 409 });
  });

  it("keeps other status codes and the cause", () => {
    const cause = modemError(500, "server error");
    const error = toDockerError("image.pull", cause);
    expect(error).toBeInstanceOf(DockerError);
    expect(error).toMatchObject({ code: "ILD_DOCKER_ERROR", statusCode: 500, cause });
  });

  it("maps connection failures to DockerUnavailableError naming the endpoint", () => {
    const error = toDockerError(
      "ping",
      Object.assign(new Error("connect ENOENT /x.sock"), { code: "ENOENT" }),
      "unix:///x.sock",
    );
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect(error.message).toContain("unix:///x.sock");
  });

  it("passes aborts through unchanged", () => {
    const abort = new DOMException("aborted", "AbortError");
    expect(toDockerError("ping", abort)).toBe(abort);
    expect(isAbortError(abort)).toBe(true);
    expect(isAbortError(new Error("x"))).toBe(false);
  });
});
