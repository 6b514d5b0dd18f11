// A report's whole input but the contributions: the chain's part from the source, the carry and the payout state the
// report builds on from the node's store. The builder and the auditor assemble it the same way.
import type { Hex } from "viem";
import { ReportNotFoundError } from "./errors.ts";
import type { EpochReportInput, ReportInputsSource } from "./inputs.ts";
import type { PayoutStore } from "./payout-store.ts";

export async function assembleInputs(
  store: PayoutStore,
  source: ReportInputsSource,
  args: { community: bigint; epoch: bigint; prevPayoutRoot: Hex },
): Promise<Omit<EpochReportInput, "contributions">> {
  const prev = await store.payoutState(args.prevPayoutRoot);
  if (prev === undefined) throw new ReportNotFoundError(`payout state of root ${args.prevPayoutRoot} on this node`);
  const carry = await store.carryBefore(args.community, args.epoch);
  const chain = await source.inputsFor({ community: args.community, epoch: args.epoch });
  return { ...chain, carry, prev };
}
