// A report's whole input: the contributions, the chain's part from the source (for the campaigns and personas they
// and the carry name), the carry and the payout state the report builds on from the node's store. The builder and
// the auditor assemble it the same way.
import { type Address, getAddress, type Hex } from "viem";
import { ReportNotFoundError } from "./errors.ts";
import type { EpochReportInput, ReportContribution, ReportInputsSource, RolloverCarry } from "./inputs.ts";
import type { PayoutStore } from "./payout-store.ts";

/** The campaigns and creator personas named by the contributions and the carry, ascending. */
export function namedIn(
  contributions: readonly ReportContribution[],
  carry: RolloverCarry,
): { campaignIds: bigint[]; personas: Address[] } {
  const ids = new Set<bigint>(carry.ads.map((a) => a.campaignId));
  const personas = new Set<string>(carry.creators.map((c) => getAddress(c.persona)));
  for (const c of contributions) {
    for (const u of c.users) {
      for (const a of u.ads) ids.add(a.campaignId);
      for (const p of u.creators) personas.add(getAddress(p.persona));
    }
  }
  return {
    campaignIds: [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    personas: [...personas].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)) as Address[],
  };
}

export async function assembleInputs(
  store: PayoutStore,
  source: ReportInputsSource,
  args: { community: bigint; epoch: bigint; prevPayoutRoot: Hex; contributions: readonly ReportContribution[] },
): Promise<EpochReportInput> {
  const prev = await store.payoutState(args.prevPayoutRoot);
  if (prev === undefined) throw new ReportNotFoundError(`payout state of root ${args.prevPayoutRoot} on this node`);
  const carry = await store.carryBefore(args.community, args.epoch);
  const chain = await source.inputsFor({
    community: args.community,
    epoch: args.epoch,
    ...namedIn(args.contributions, carry),
  });
  return { ...chain, carry, prev, contributions: args.contributions };
}
