// Relayer and attester errors: attester endpoints as the relayer sees them.
import { RelayerError } from "./root.ts";

/** An attester endpoint answered a relayer's request with an HTTP error (not an authentication refusal). */
export class AttesterRequestFailedError extends RelayerError {
  override name = "AttesterRequestFailedError";
  readonly endpoint: string;
  readonly status: number;
  constructor(endpoint: string, status: number, detail: string | undefined) {
    super("AttesterRequestFailed", `HTTP ${status}${detail === undefined ? "" : `: ${detail}`}`, {
      retryable: status === 429 || status >= 500,
    });
    this.endpoint = endpoint;
    this.status = status;
  }
}

/**
 * An attester with relayer authentication (attester.auth) refused this relayer: 401 (no identity configured, or a
 * signature it does not accept: clock skew, replay) or 403 (this relayer's key is not on its allow-list). Nothing the
 * relayer retries fixes it; the operator of either side must act.
 */
export class AttesterAuthRefusedError extends RelayerError {
  override name = "AttesterAuthRefusedError";
  readonly endpoint: string;
  readonly status: number;
  /** The relayer's base58 key, undefined when it has none (keys.identityKeystore not set). */
  readonly relayer: string | undefined;
  constructor(endpoint: string, status: number, relayer: string | undefined, detail: string) {
    const hint =
      relayer === undefined
        ? "this relayer signs no requests: set keys.identityKeystore (an ed25519 keystore) and have the node list its key"
        : status === 403
          ? `add ${relayer} to the node's attester.auth.relayers`
          : "check this host's clock and the relayer identity";
    super("AttesterAuthRefused", `attester ${endpoint} refused this relayer (HTTP ${status}): ${detail}; ${hint}`);
    this.endpoint = endpoint;
    this.status = status;
    this.relayer = relayer;
  }
}
