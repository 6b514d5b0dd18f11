// The kit's failures that have no class of their own: under the sdk's BaseError with a stable code, like every
// maskoii error (none is retryable: a test or bench that hits one has failed).
import { BaseError } from "@maskoii/sdk";

export type TestkitErrorCode =
  | "CHAIN_RPC_ERROR"
  | "HARDHAT_BUILD_FAILED"
  | "LOCAL_RPC_EXITED"
  | "LOCAL_RPC_NOT_READY"
  | "FIXTURE_USAGE"
  | "FIXTURE_NO_OWNER"
  | "POSTGRES_URL_MISSING";

export class TestkitError extends BaseError<TestkitErrorCode> {
  override name = "TestkitError";
}
