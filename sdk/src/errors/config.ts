/** Errors of deployment files (EVM and Solana). */
import { MaskoiiError } from "./maskoii.ts";

/** A deployment file could not be read or is not JSON. */
export class DeploymentReadFailedError extends MaskoiiError {
  override name = "DeploymentReadFailedError";
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super("DeploymentReadFailed", `cannot read deployment ${path}: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
    this.path = path;
  }
}

/** A deployment file does not match the schema; `field` is the dotted path of the first bad field. */
export class InvalidDeploymentError extends MaskoiiError {
  override name = "InvalidDeploymentError";
  readonly field: string;
  readonly issues: readonly { field: string; message: string }[];
  constructor(source: string, issues: readonly { field: string; message: string }[]) {
    const first = issues[0] ?? { field: "(root)", message: "invalid" };
    const rest = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super("InvalidDeployment", `${source}: ${first.field}: ${first.message}${rest}`);
    this.field = first.field;
    this.issues = issues;
  }
}
