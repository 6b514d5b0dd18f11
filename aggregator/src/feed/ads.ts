// Ad slots (issue 16 point 1). Positions of the feed are counted from 0 across pages; position p is an ad slot when
// (p + 1) is a multiple of `every` (≥ 3), so at most one position in `every` is an ad and two ads are never adjacent.
// The organic items fill the other positions in rank order, whether a slot gets an ad or stays empty (an empty slot
// is skipped), so paging never depends on which campaigns are live. A slot takes a campaign live at the feed's
// `asOf` that targets the community and whose tags (if it has any) meet the user's or the community's tags; among
// those, the one at the slot's index in an order fixed by (matching tags, keccak256(seed ‖ campaignId)), so the same
// inputs give the same ads and users see the campaigns in different rotations.
import { concat, type Hex, keccak256, numberToHex } from "viem";
import type { Campaign } from "../campaigns.ts";

export const MIN_AD_EVERY = 3;

export function isAdSlot(position: number, every: number): boolean {
  return (position + 1) % every === 0;
}

/** How many organic items come before position p (the organic index at p when p is not a slot). */
export function organicIndexAt(position: number, every: number): number {
  return position - Math.floor(position / every);
}

/** The position of the organic item with index o (never an ad slot). */
export function positionOfOrganic(o: number, every: number): number {
  return o + Math.floor(o / (every - 1));
}

/** The campaigns eligible for the feed's slots, in slot order (slot j takes entry j mod length). */
export function adRotation(campaigns: readonly Campaign[], wantedTags: ReadonlySet<Hex>, seed: Hex): Campaign[] {
  const scored = campaigns
    .map((c) => ({
      c,
      matching: c.tags.filter((t) => wantedTags.has(t.toLowerCase() as Hex)).length,
      order: keccak256(concat([seed, numberToHex(c.id, { size: 8 })])),
    }))
    .filter((x) => x.c.tags.length === 0 || x.matching > 0);
  scored.sort((a, b) => b.matching - a.matching || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  return scored.map((x) => x.c);
}
