// The `koii` section of the attester's config: the task round this node takes part in (node-kit's koiiTaskFields,
// docs/protocol.md §9) and what the attestation kind adds. Optional, so configs written before the task round existed
// keep working (the node then only attests).
import { koiiTaskChecks, koiiTaskFields } from "@maskoii/node-kit";
import { z } from "zod";

export const koiiConfigSchema = koiiTaskChecks(
  z
    .object({
      ...koiiTaskFields,
      /**
       * Submit equivocation evidence to the EVM Gateways of these domains (reportEquivocation). Costs gas, paid by
       * the attesting key, so it is opt-in per node; empty = never report.
       */
      reportEquivocationOn: z.array(z.number().int().min(1).max(0xffffffff)).default([]),
    })
    .strict(),
);

export type KoiiConfig = z.infer<typeof koiiConfigSchema>;
