import { IldError } from "@ild/common";

export const PLUGIN_HTTP_ERROR = "ILD_PLUGIN_HTTP";

/** The plugin answered something other than 200 (interLink treats every other status as a failure). */
export class PluginHttpError extends IldError {
  readonly status: number;
  readonly body: string;
  readonly path: string;

  constructor(path: string, status: number, body: string) {
    const shown = body.trim().length > 500 ? `${body.trim().slice(0, 500)}…` : body.trim();
    super(PLUGIN_HTTP_ERROR, `plugin ${path} answered HTTP ${status}${shown === "" ? "" : `: ${shown}`}`, {
      details: { path, status },
    });
    this.status = status;
    this.body = body;
    this.path = path;
  }
}
