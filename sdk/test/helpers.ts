import type { Hex } from "viem";
import { expect } from "vitest";
import { MaskoiiError, type MaskoiiErrorCode } from "../src/errors/index.ts";

/** Asserts `f` throws a MaskoiiError with `code` (and of class `cls` if given); returns the error. */
export function expectCode<E extends MaskoiiError>(
  f: () => unknown,
  code: MaskoiiErrorCode,
  cls?: abstract new (...args: never[]) => E,
): MaskoiiError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(MaskoiiError);
  const err = caught as MaskoiiError;
  expect(err.code).toBe(code);
  if (cls !== undefined) expect(err).toBeInstanceOf(cls);
  return err;
}

export const b32 = (byte: string): Hex => `0x${byte.repeat(32)}`;
export const key = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;
