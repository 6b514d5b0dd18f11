// One (community, epoch) closed on this node: build the report from the contributions and the chain inputs (the carry
// and the payout state come from the store, assemble.ts), sign it with the attester key, store it with its payout state; or record
// the roll-over. Idempotent: an epoch already decided is returned as stored.
import type { Hex } from "viem";
import { assembleInputs } from "./assemble.ts";
import { buildEpochReport, type ReportOutcome } from "./builder.ts";
import { EMPTY_CARRY, type ReportContribution, type ReportInputsSource } from "./inputs.ts";
import type { PayoutStore } from "./payout-store.ts";
import { type ReportDomain, signReport } from "./signer.ts";

export class EpochReporter {
  readonly #store: PayoutStore;
  readonly #inputs: ReportInputsSource;
  readonly #key: Hex;
  readonly #domain: ReportDomain;
  readonly #now: () => number;

  constructor(args: {
    store: PayoutStore;
    inputs: ReportInputsSource;
    attesterKey: Hex;
    domain: ReportDomain;
    now?: () => number;
  }) {
    this.#store = args.store;
    this.#inputs = args.inputs;
    this.#key = args.attesterKey;
    this.#domain = args.domain;
    this.#now = args.now ?? Date.now;
  }

  /**
   * Decides (community, epoch) from `contributions`, building on `prevPayoutRoot` (the chain's pending tip). The
   * carry stored for the community is added when it was folded from earlier epochs; the inputs source gives the rest.
   */
  async close(args: {
    community: bigint;
    epoch: bigint;
    prevPayoutRoot: Hex;
    contributions: readonly ReportContribution[];
    /** The attester set the signature names (the Gateway's current one); default the configured domain's. */
    attesterSetId?: bigint;
  }): Promise<ReportOutcome | { kind: "decided"; outcome: string }> {
    const decided = await this.#store.outcomeOf(args.community, args.epoch);
    if (decided !== undefined) return { kind: "decided", outcome: decided };
    const refs = [...args.contributions]
      .map((c) => ({ node: c.node, hash: c.hash.toLowerCase() as Hex }))
      .sort((a, b) => (a.node < b.node ? -1 : 1));
    const at = this.#now();
    // No engagement anywhere and nothing carried: nothing to decide, and no chain read (an epoch before the
    // community existed has no chain state to read).
    const carry = await this.#store.carryBefore(args.community, args.epoch);
    if (
      args.contributions.every((c) => c.users.length === 0) &&
      carry.accounts === 0 &&
      carry.ads.length === 0 &&
      carry.creators.length === 0
    ) {
      const empty = { kind: "empty", engagedAccounts: 0 } as const;
      await this.#store.saveNoReport({ ...args, ...empty, carry: EMPTY_CARRY, contributions: refs, at });
      return empty;
    }
    const out = buildEpochReport(await assembleInputs(this.#store, this.#inputs, args));
    if (out.kind === "report") {
      const domain =
        args.attesterSetId === undefined ? this.#domain : { ...this.#domain, attesterSetId: args.attesterSetId };
      const signed = signReport(out.report, this.#key, domain);
      await this.#store.saveReport({
        built: out,
        contributions: refs,
        signer: signed.signer,
        signature: signed.signature,
        at,
      });
    } else {
      await this.#store.saveNoReport({
        community: args.community,
        epoch: args.epoch,
        kind: out.kind,
        engagedAccounts: out.engagedAccounts,
        carry: out.kind === "rolled-over" ? out.carry : EMPTY_CARRY,
        contributions: refs,
        at,
      });
    }
    return out;
  }
}
