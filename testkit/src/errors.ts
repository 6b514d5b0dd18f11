// The kit's failures (its named classes below, and the rest with a code of their own): under the sdk's BaseError
// with a stable code, like every maskoii error (none is retryable: a test or bench that hits one has failed).
import { BaseError, type BaseErrorOptions } from "@maskoii/sdk";

export type TestkitErrorCode =
  | "ChainRpcFailed"
  | "HardhatBuildFailed"
  | "LocalRpcExited"
  | "LocalRpcNotReady"
  | "FixtureUsage"
  | "FixtureNoOwner"
  | "PostgresUrlMissing"
  | "FixtureFailed"
  | "RpcNotReady"
  | "DeployFailed"
  | "ProcessFailed"
  | "WaitTimedOut"
  | "NodeProcessFailed"
  | "SolanaSetupFailed"
  | "ScenarioCallReverted"
  | "ScenarioFailed";

export class TestkitError extends BaseError<TestkitErrorCode> {
  override name = "TestkitError";
}

/** A kit error class with one fixed code: `new ProcessError(message)`. */
function withCode(code: TestkitErrorCode) {
  return class extends TestkitError {
    constructor(message: string, options?: BaseErrorOptions) {
      super(code, message, options);
    }
  };
}

/** The deploy fixture's child process failed or printed no result. */
export class FixtureError extends withCode("FixtureFailed") {
  override name = "FixtureError";
}
/** A local chain's RPC did not come up as expected. */
export class RpcError extends withCode("RpcNotReady") {
  override name = "RpcError";
}
/** A deployment step reverted or found the chain in an unexpected state. */
export class DeployError extends withCode("DeployFailed") {
  override name = "DeployError";
}
/** The Supervisor could not start or stop a process. */
export class ProcessError extends withCode("ProcessFailed") {
  override name = "ProcessError";
}
/** A maskoii node process did not start, stop or exit as asked. */
export class NodeError extends withCode("NodeProcessFailed") {
  override name = "NodeError";
}
/** The local Solana endpoint could not be built, started or set up. */
export class SolanaError extends withCode("SolanaSetupFailed") {
  override name = "SolanaError";
}
