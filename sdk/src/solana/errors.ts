/**
 * Typed errors of the maskoii Solana program. Codes and names come from the IDL (`MaskoiiError` from 6000, the
 * program's one error enum: gateway, token bridge and claims) plus Anchor's own framework errors (100–5999,
 * `LangErrorCode`), so a failed
 * transaction surfaces as `MaskoiiProgramError` with the same name the Rust program and Solidity use
 * (`AttesterSetExpired`, `RateLimitExceeded`, ...).
 */
import { LangErrorCode } from "@anchor-lang/core";
import { BaseError } from "../errors/base.ts";
import IDL_JSON from "./idl/maskoii.json" with { type: "json" };

/** Every error the program declares, by code. */
export const PROGRAM_ERRORS: ReadonlyMap<number, { readonly name: string; readonly msg: string }> = new Map(
  IDL_JSON.errors.map((e) => [e.code, { name: e.name, msg: e.msg }]),
);

const ANCHOR_ERRORS: ReadonlyMap<number, string> = new Map(
  Object.entries(LangErrorCode).map(([name, code]) => [code as number, name]),
);

/** Names of the program's errors (from the IDL). */
export type MaskoiiProgramErrorName = (typeof IDL_JSON.errors)[number]["name"];

/** The code of a program error by name; throws for a name the program does not declare. */
export function programErrorCode(name: MaskoiiProgramErrorName): number {
  for (const [code, e] of PROGRAM_ERRORS) if (e.name === name) return code;
  throw new UnknownProgramErrorNameError(name);
}

/** Where a failure came from. */
export type ProgramErrorSource = "program" | "anchor" | "client";

/**
 * A transaction failed with a known error of the program (or of Anchor inside it), or a client-side check did. Its
 * `code` is the program's stable error number (6000+ from the IDL, <6000 Anchor's, -1 client-side) and `errorName`
 * the name; not retryable: the program rejects the same transaction the same way.
 */
export class MaskoiiProgramError extends BaseError<number> {
  override readonly name = "MaskoiiProgramError";
  /** Error name, e.g. `InsufficientWeight`, `ConstraintSeeds`, or `AlreadyDelivered` (program or client check). */
  readonly errorName: string;
  readonly source: ProgramErrorSource;
  /** Index of the failing instruction in its transaction, when known. */
  readonly instructionIndex: number | undefined;
  /** Program logs, when the RPC returned them. */
  readonly logs: readonly string[];

  constructor(
    errorName: string,
    code: number,
    source: ProgramErrorSource,
    instructionIndex: number | undefined,
    logs: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(code, `${errorName} (${code})${describe(code)}`, { cause: options?.cause, retryable: false });
    this.errorName = errorName;
    this.source = source;
    this.instructionIndex = instructionIndex;
    this.logs = logs;
  }
}

/** Codes of the Solana client's own failures (not the program's). */
export type SolanaClientErrorCode = "UnknownProgramErrorName" | "DeliveryDoesNotFit" | "NoSigner" | "TransactionFailed";

/** Base class of the Solana client's own failures; `code` is a stable string. */
export class SolanaClientError extends BaseError<SolanaClientErrorCode> {
  override name = "SolanaClientError";
}

/** `programErrorCode` was given a name the program does not declare. */
export class UnknownProgramErrorNameError extends SolanaClientError {
  override name = "UnknownProgramErrorNameError";
  readonly errorName: string;
  constructor(errorName: string) {
    super("UnknownProgramErrorName", `the maskoii program has no error named ${errorName}`);
    this.errorName = errorName;
  }
}

/** `planDelivery` cannot fit a delivery into transactions (a message too long, or not even one signature fits). */
export class DeliveryDoesNotFitError extends SolanaClientError {
  override name = "DeliveryDoesNotFitError";
  constructor(reason: string) {
    super("DeliveryDoesNotFit", `planDelivery: ${reason}`);
  }
}

/** `sendAndConfirm` was given no signer to pay the fees. */
export class NoSignerError extends SolanaClientError {
  override name = "NoSignerError";
  constructor() {
    super("NoSigner", "sendAndConfirm: no signer");
  }
}

/**
 * A confirmed transaction failed with an error that is not a maskoii program error (the runtime, another program).
 * Carries the transaction error as `err` and the program logs as `logs`, which `parseProgramError` reads.
 */
export class TransactionFailedError extends SolanaClientError {
  override name = "TransactionFailedError";
  readonly signature: string;
  readonly err: unknown;
  readonly logs: readonly string[];
  constructor(signature: string, err: unknown, logs: readonly string[]) {
    super("TransactionFailed", `transaction ${signature} failed: ${JSON.stringify(err)}`);
    this.signature = signature;
    this.err = err;
    this.logs = logs;
  }
}

function describe(code: number): string {
  const e = PROGRAM_ERRORS.get(code);
  return e === undefined ? "" : `: ${e.msg}`;
}

/** The error for a custom program error code, or undefined for a code neither the program nor Anchor declares. */
export function errorForCode(
  code: number,
  instructionIndex?: number,
  logs: readonly string[] = [],
  cause?: unknown,
): MaskoiiProgramError | undefined {
  const program = PROGRAM_ERRORS.get(code);
  if (program !== undefined)
    return new MaskoiiProgramError(program.name, code, "program", instructionIndex, logs, { cause });
  const anchor = ANCHOR_ERRORS.get(code);
  if (anchor !== undefined) return new MaskoiiProgramError(anchor, code, "anchor", instructionIndex, logs, { cause });
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/** `{ InstructionError: [index, { Custom: code }] }` (a TransactionError as JSON) → [index, code]. */
function customFromTransactionError(err: unknown): [number, number] | undefined {
  if (!isObj(err) || !Array.isArray(err.InstructionError)) return undefined;
  const [index, inner] = err.InstructionError as [unknown, unknown];
  if (typeof index === "number" && isObj(inner) && typeof inner.Custom === "number") return [index, inner.Custom];
  return undefined;
}

function logsOf(e: unknown): string[] {
  if (!isObj(e)) return [];
  for (const key of ["logs", "transactionLogs"]) {
    const v = e[key];
    if (Array.isArray(v) && v.every((l) => typeof l === "string")) return v as string[];
  }
  return [];
}

/**
 * Recognises a maskoii program error in whatever web3.js or the RPC threw: a `SendTransactionError` (preflight),
 * a confirmation error carrying a `TransactionError`, or logs with Anchor's `Error Code: <Name>. Error Number: <n>`.
 * Returns undefined when the failure is not a program error (network, blockhash, system program...).
 */
export function parseProgramError(e: unknown): MaskoiiProgramError | undefined {
  if (e instanceof MaskoiiProgramError) return e;
  const logs = logsOf(e);
  if (isObj(e)) {
    for (const key of ["transactionError", "err", "value"]) {
      const found = customFromTransactionError(
        isObj(e[key]) && "err" in (e[key] as Obj) ? (e[key] as Obj).err : e[key],
      );
      if (found) return errorForCode(found[1], found[0], logs, e);
    }
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  const custom = /Error processing Instruction (\d+): custom program error: 0x([0-9a-fA-F]+)/.exec(message);
  if (custom) return errorForCode(Number.parseInt(custom[2]!, 16), Number(custom[1]), logs, e);
  for (const line of logs) {
    const anchor = /Error Code: (\w+)\. Error Number: (\d+)\./.exec(line);
    if (anchor) return errorForCode(Number(anchor[2]), undefined, logs, e);
  }
  return undefined;
}

/** Runs `f`; rethrows a recognised program error as `MaskoiiProgramError`, anything else unchanged. */
export async function withProgramErrors<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw parseProgramError(e) ?? e;
  }
}
