import { type AccountMeta, Connection, Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import { type Hex, hexToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { addressOfPrivateKey, buildAttestation, decodeAttestation } from "../src/attestation.ts";
import { encodeMessage, messageId } from "../src/message.ts";
import IDL from "../src/solana/idl/maskoii.json" with { type: "json" };
import {
  bytes32ToPubkey,
  errorForCode,
  MASKOII_PROGRAM_ID,
  MaskoiiPdas,
  MaskoiiProgramError,
  MaskoiiSolanaClient,
  PACKET_DATA_SIZE,
  parseProgramError,
  programErrorCode,
  pubkeyToBytes32,
  SECP256K1_RECOVER_CU,
  transactionSize,
} from "../src/solana/index.ts";
import { encodeTokenMessage } from "../src/token.ts";
import { key } from "./helpers.ts";

// Never contacted: every call below builds instructions offline.
const client = new MaskoiiSolanaClient({ connection: new Connection("http://127.0.0.1:9") });
const pda = new MaskoiiPdas();
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("solana PDAs", () => {
  it("uses the program id of the IDL", () => {
    expect(MASKOII_PROGRAM_ID.toBase58()).toBe("MaskoiiGateway11111111111111111111111111111");
    expect(IDL.address).toBe(MASKOII_PROGRAM_ID.toBase58());
    expect(client.verifier).toBe(pubkeyToBytes32(MASKOII_PROGRAM_ID));
  });

  it("derives every PDA whose seeds the IDL spells out as constants", () => {
    const expected: Record<string, PublicKey> = {
      config: pda.config(),
      fee_vault: pda.feeVault(),
      bridge_authority: pda.bridgeAuthority(),
      attester_set: pda.attesterSet(1),
    };
    let checked = 0;
    for (const ix of IDL.instructions) {
      for (const account of ix.accounts as { name: string; pda?: { seeds: { kind: string; value?: number[] }[] } }[]) {
        const want = expected[account.name];
        if (!account.pda || want === undefined || !account.pda.seeds.every((s) => s.kind === "const")) continue;
        const seeds = account.pda.seeds.map((s) => Uint8Array.from(s.value ?? []));
        expect(PublicKey.findProgramAddressSync(seeds, MASKOII_PROGRAM_ID)[0].equals(want), account.name).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("lays out variable seeds as docs/solana.md says (little-endian integers, raw 32-byte values)", () => {
    const payer = Keypair.generate().publicKey;
    const value: Hex = `0x${"ab".repeat(32)}`;
    const find = (...seeds: Uint8Array[]) => PublicKey.findProgramAddressSync(seeds, MASKOII_PROGRAM_ID)[0];
    expect(pda.verification(payer, "rotation", 258n, value)).toEqual(
      find(
        utf8("verification"),
        payer.toBytes(),
        Uint8Array.of(2),
        Uint8Array.of(2, 1, 0, 0, 0, 0, 0, 0),
        hexToBytes(value),
      ),
    );
    expect(pda.outbox(1)).toEqual(find(utf8("outbox"), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)));
    expect(pda.routeFee(1001)).toEqual(find(utf8("route_fee"), Uint8Array.of(0xe9, 0x03, 0, 0)));
    expect(pda.receipt(1001, 7)).toEqual(
      find(utf8("receipt"), Uint8Array.of(0xe9, 0x03, 0, 0), Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 0)),
    );
    expect(pda.refundRecord(value)).toEqual(find(utf8("refund_record"), hexToBytes(value)));
    expect(pda.refunded(7)).toEqual(find(utf8("refunded"), Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 0)));
    expect(pda.gatewayAuthority(MASKOII_PROGRAM_ID)).toEqual(
      find(utf8("gateway_authority"), MASKOII_PROGRAM_ID.toBytes()),
    );
    expect(() => pda.outbox(-1)).toThrow();
    expect(() => pda.routeFee(2 ** 32)).toThrow();
  });

  it("finds ProgramData at the BPF loader v3 address of the program", () => {
    const loader = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");
    expect(pda.programData()).toEqual(PublicKey.findProgramAddressSync([MASKOII_PROGRAM_ID.toBytes()], loader)[0]);
  });
});

describe("solana errors", () => {
  it("maps the program's codes to the IDL names (one enum from 6000: gateway, then token bridge and claims)", () => {
    expect(errorForCode(6000)?.errorName).toBe("MessageTooShort");
    expect(programErrorCode("RateLimitExceeded")).toBeGreaterThan(programErrorCode("NotUpgradeAuthority"));
    expect(programErrorCode("AlreadyDelivered")).toBeGreaterThan(programErrorCode("ClaimantMismatch"));
    expect(errorForCode(programErrorCode("InsufficientWeight"))?.source).toBe("program");
    expect(errorForCode(2006)?.errorName).toBe("ConstraintSeeds");
    expect(errorForCode(2006)?.source).toBe("anchor");
    expect(errorForCode(5_999_999)).toBeUndefined();
    expect(() => programErrorCode("NoSuchError" as never)).toThrow(/no error named/);
  });

  it("recognises a preflight failure, a confirmation failure and Anchor's log line", () => {
    const code = programErrorCode("UnknownSigner");
    const preflight = new Error(
      `Simulation failed. Message: Transaction simulation failed: Error processing Instruction 1: custom program error: 0x${code.toString(16)}.`,
    );
    const a = parseProgramError(preflight);
    expect(a).toBeInstanceOf(MaskoiiProgramError);
    expect(a?.errorName).toBe("UnknownSigner");
    expect(a?.instructionIndex).toBe(1);

    const b = parseProgramError({ err: { InstructionError: [0, { Custom: code }] }, logs: ["x"] });
    expect(b?.errorName).toBe("UnknownSigner");
    expect(b?.logs).toEqual(["x"]);

    const c = parseProgramError({
      logs: ["Program log: AnchorError occurred. Error Code: Paused. Error Number: 6020. Error Message: paused."],
    });
    expect(c?.code).toBe(6020);

    expect(parseProgramError(new Error("blockhash not found"))).toBeUndefined();
    expect(parseProgramError({ err: { InstructionError: [0, "InvalidInstructionData"] } })).toBeUndefined();
  });
});

// 19 attesters, 13 of them sign: the benchmark quorum (threshold 6842 bps: 13 × 10000 ≥ 19 × 6842 > 12 × 10000).
const keys = Array.from({ length: 19 }, (_, i) => key(i + 1));
const members = keys.map((k) => ({ address: addressOfPrivateKey(k), weight: 1n }));
const attesters = [...members].map((m) => m.address).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));

/** A token transfer from domain 1001 to the bridge on 1003 and its 13-of-19 attestation. */
function inboundTransfer(): { message: Hex; attestation: Hex } {
  const message = encodeMessage({
    nonce: 7n,
    originDomain: 1001,
    sender: `0x${"00".repeat(12)}${"11".repeat(20)}`,
    destinationDomain: 1003,
    recipient: pubkeyToBytes32(MASKOII_PROGRAM_ID),
    payload: encodeTokenMessage({
      token: pubkeyToBytes32(Keypair.generate().publicKey),
      recipient: pubkeyToBytes32(Keypair.generate().publicKey),
      amount: 12_345n,
    }),
  });
  const digest = client.digest("message", 1003, 1, messageId(message));
  const attestation = buildAttestation({ digest, attesterSetId: 1, attesters, signers: keys.slice(0, 13) });
  return { message, attestation };
}

/** The 11 accounts the token bridge's `handle` takes after deliver's own (docs/solana.md). */
function tokenAccounts(relayer: PublicKey): AccountMeta[] {
  const w = (pubkey: PublicKey, isSigner = false) => ({ pubkey, isSigner, isWritable: true });
  const r = (pubkey: PublicKey) => ({ pubkey, isSigner: false, isWritable: false });
  const mint = Keypair.generate().publicKey;
  const route = pda.tokenRoute(mint, 1001);
  return [
    w(relayer, true),
    r(pda.remoteBridge(1001)),
    r(pda.tokenConfig(mint)),
    w(route),
    w(mint),
    r(pda.bridgeAuthority()),
    w(pda.escrow(mint)),
    w(Keypair.generate().publicKey),
    w(pda.queuedTransfer(route, 0)),
    r(new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")),
    r(SystemProgram.programId),
  ];
}

describe("solana instruction encoding", () => {
  it("post_signatures data is discriminator ‖ kind ‖ set id LE ‖ value ‖ count ‖ 66 bytes per signature ‖ bump", async () => {
    const { message, attestation } = inboundTransfer();
    const { signatures } = decodeAttestation(attestation);
    const payer = Keypair.generate().publicKey;
    const id = messageId(message);
    const ix = await client.postSignaturesIx({
      payer,
      kind: "message",
      attesterSetId: 1,
      value: id,
      signatures: signatures.slice(0, 2),
    });
    const data = Uint8Array.from(ix.data);
    expect(data.length).toBe(8 + 1 + 8 + 32 + 4 + 2 * 66 + 1);
    const disc = IDL.instructions.find((i) => i.name === "post_signatures")!.discriminator;
    expect([...data.subarray(0, 8)]).toEqual(disc);
    expect(data[8]).toBe(0);
    expect([...data.subarray(9, 17)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(data.subarray(17, 49)).toEqual(hexToBytes(id));
    expect([...data.subarray(49, 53)]).toEqual([2, 0, 0, 0]);
    const first = signatures[0]!;
    expect(data[53]).toBe(first.index);
    expect(data.subarray(54, 86)).toEqual(hexToBytes(first.r));
    expect(data.subarray(86, 118)).toEqual(hexToBytes(first.s));
    expect(data[118]).toBe(first.v);
    expect(ix.keys[3]!.pubkey).toEqual(pda.verification(payer, "message", 1, id));
    expect(data[data.length - 1]).toBe(pda.verificationWithBump(payer, "message", 1, id)[1]);
  });

  it("deliver data is discriminator ‖ message id ‖ length-prefixed message; the recipient comes from the message", async () => {
    const { message } = inboundTransfer();
    const relayer = Keypair.generate().publicKey;
    const ix = await client.deliverIx({
      relayer,
      verificationPayer: relayer,
      attesterSetId: 1,
      message,
      remainingAccounts: tokenAccounts(relayer),
    });
    const data = Uint8Array.from(ix.data);
    const length = hexToBytes(message).length;
    expect(data.length).toBe(8 + 32 + 4 + length);
    expect(data.subarray(8, 40)).toEqual(hexToBytes(messageId(message)));
    expect(data.subarray(44)).toEqual(hexToBytes(message));
    expect(ix.keys).toHaveLength(9 + 11);
    expect(ix.keys[6]!.pubkey).toEqual(MASKOII_PROGRAM_ID);
    expect(ix.keys[7]!.pubkey).toEqual(pda.gatewayAuthority(MASKOII_PROGRAM_ID));
    expect(bytes32ToPubkey(pubkeyToBytes32(relayer))).toEqual(relayer);
  });
});

describe("solana delivery planning", () => {
  it("delivers a 13-of-19 token transfer in two transactions within 1,232 bytes", async () => {
    const { message, attestation } = inboundTransfer();
    const relayer = Keypair.generate().publicKey;
    const plan = await client.planDelivery({
      relayer,
      message,
      attestation,
      remainingAccounts: tokenAccounts(relayer),
    });
    expect(plan.transactions).toHaveLength(2);
    expect(plan.signaturesPerTransaction.reduce((a, b) => a + b, 0)).toBe(13);
    for (const size of plan.sizes) expect(size).toBeLessThanOrEqual(PACKET_DATA_SIZE);
    for (const [i, ixs] of plan.transactions.entries()) expect(transactionSize(ixs, relayer)).toBe(plan.sizes[i]);
    // The last transaction carries deliver; the first one as many signatures as fit.
    const last = plan.transactions[1]!;
    expect(last.at(-1)!.data.subarray(0, 8)).toEqual(
      Buffer.from(IDL.instructions.find((i) => i.name === "deliver")!.discriminator),
    );
    // Packing is maximal: one more signature in the first transaction would not fit.
    const { signatures } = decodeAttestation(attestation);
    const k = plan.signaturesPerTransaction[0]!;
    const bigger = await client.postSignaturesIx({
      payer: relayer,
      kind: "message",
      attesterSetId: 1,
      value: plan.messageId,
      signatures: signatures.slice(0, k + 1),
    });
    const computeIx = plan.transactions[0]!.length > 1 ? [plan.transactions[0]![0]!] : [];
    expect(transactionSize([...computeIx, bigger], relayer)).toBeGreaterThan(PACKET_DATA_SIZE);
    expect(plan.computeEstimates.reduce((a, b) => a + b, 0)).toBeGreaterThan(13 * SECP256K1_RECOVER_CU);
  });

  it("skips signatures already posted and puts a small quorum in one transaction with deliver", async () => {
    const { message, attestation } = inboundTransfer();
    const relayer = Keypair.generate().publicKey;
    const resumed = await client.planDelivery({
      relayer,
      message,
      attestation,
      alreadyPosted: 10,
      remainingAccounts: tokenAccounts(relayer),
    });
    expect(resumed.transactions).toHaveLength(1);
    expect(resumed.signaturesPerTransaction).toEqual([3]);
  });
});
