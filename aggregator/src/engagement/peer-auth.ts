// Peer requests between the task's nodes (docs/protocol.md §12.2): the caller signs `"maskoii peer request v1" ‖
// method ‖ path ‖ time` with its Koii ed25519 key and sends its base58 key, the time (unix ms) and the signature as
// headers. The callee answers only task members whose time is within ±60 s and whose signature verifies.
import type { IncomingHttpHeaders } from "node:http";
import { koiiPublicKeyOf, verifyRelayerSignature } from "@maskoii/node-kit";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, type Hex, hexToBytes, stringToBytes } from "viem";

export const PEER_AUTH_HEADERS = {
  node: "x-maskoii-node",
  time: "x-maskoii-time",
  signature: "x-maskoii-signature",
} as const;
export const PEER_REQUEST_TAG = "maskoii peer request v1";
export const PEER_MAX_SKEW_MS = 60_000;

/** The exact bytes a peer signs for one request (`path` without the query). */
export function peerRequestStatement(method: string, path: string, timeMs: number): Uint8Array {
  return stringToBytes(`${PEER_REQUEST_TAG}\n${method.toUpperCase()}\n${path}\n${timeMs}`);
}

/** The three headers of a signed peer request. */
export function signPeerRequest(
  ed25519PrivateKey: Hex,
  request: { method: string; path: string; timeMs?: number },
): Record<string, string> {
  const timeMs = request.timeMs ?? Date.now();
  const statement = peerRequestStatement(request.method, request.path, timeMs);
  return {
    [PEER_AUTH_HEADERS.node]: koiiPublicKeyOf(ed25519PrivateKey),
    [PEER_AUTH_HEADERS.time]: String(timeMs),
    [PEER_AUTH_HEADERS.signature]: bytesToHex(ed25519.sign(statement, hexToBytes(ed25519PrivateKey))),
  };
}

export type PeerAuthResult =
  | { readonly ok: true; readonly node: string }
  | { readonly ok: false; readonly reason: "missing" | "unknown-node" | "stale" | "bad-signature" };

/** Checks a peer request's headers against the task's members and the clock. */
export function verifyPeerRequest(
  headers: IncomingHttpHeaders,
  request: { method: string; path: string; members: ReadonlySet<string>; nowMs: number },
): PeerAuthResult {
  const one = (name: string) => {
    const v = headers[name];
    return typeof v === "string" ? v : undefined;
  };
  const node = one(PEER_AUTH_HEADERS.node);
  const time = one(PEER_AUTH_HEADERS.time);
  const signature = one(PEER_AUTH_HEADERS.signature);
  if (node === undefined || time === undefined || signature === undefined) return { ok: false, reason: "missing" };
  if (!request.members.has(node)) return { ok: false, reason: "unknown-node" };
  if (!/^[0-9]{1,16}$/.test(time) || Math.abs(Number(time) - request.nowMs) > PEER_MAX_SKEW_MS) {
    return { ok: false, reason: "stale" };
  }
  const statement = peerRequestStatement(request.method, request.path, Number(time));
  if (!verifyRelayerSignature(node, statement, signature)) return { ok: false, reason: "bad-signature" };
  return { ok: true, node };
}
