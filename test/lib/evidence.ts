// Reading back what happened on a destination chain: which delivery transaction carried a message, and the attester
// set its attestation was made by. Also scans of files for byte strings (stores, logs) for the privacy test.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Attestation, decodeAttestation, gatewayAbi } from "@maskoii/sdk";
import type { EvmChain } from "@maskoii/testkit";
import { type Address, decodeFunctionData, getAddress, type Hex, hexToBytes } from "viem";

/** The delivery transaction of `messageId` on `chain` and the attestation it carried (deliver or deliverBatch). */
export async function deliveryOf(
  chain: EvmChain,
  gateway: Address,
  messageId: Hex,
): Promise<{ txHash: Hex; from: Address; method: string; attestation: Attestation }> {
  const [event] = await chain.public.getContractEvents({
    address: gateway,
    abi: gatewayAbi,
    eventName: "MessageDelivered",
    args: { messageId },
    fromBlock: 0n,
  });
  if (event === undefined) throw new Error(`${messageId} is not delivered on ${chain.name}`);
  const tx = await chain.public.getTransaction({ hash: event.transactionHash });
  const call = decodeFunctionData({ abi: gatewayAbi, data: tx.input });
  let attestation: Hex;
  if (call.functionName === "deliver") attestation = call.args[1];
  else if (call.functionName === "deliverBatch") attestation = call.args[2];
  else throw new Error(`${messageId} was delivered by ${call.functionName}, not deliver/deliverBatch`);
  return {
    txHash: event.transactionHash,
    from: getAddress(tx.from),
    method: call.functionName,
    attestation: decodeAttestation(attestation),
  };
}

/** Every regular file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The byte forms a value may take at rest or on the wire: raw bytes, lowercase hex, uppercase hex, base64. */
export function forms(value: Hex): Buffer[] {
  const raw = Buffer.from(hexToBytes(value));
  const hex = value.slice(2).toLowerCase();
  return [raw, Buffer.from(hex), Buffer.from(hex.toUpperCase()), Buffer.from(raw.toString("base64"))];
}

/** The files under `dir` (or the given files) that contain any of `needles`. */
export async function filesContaining(paths: readonly string[], needles: readonly Buffer[]): Promise<string[]> {
  const hits: string[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isFile()) continue;
    const bytes = await readFile(path);
    if (needles.some((n) => bytes.includes(n))) hits.push(path);
  }
  return hits;
}
