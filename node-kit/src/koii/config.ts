// A node's config of the task round it takes part in (docs/protocol.md §9): the task, its clock, its nodes and stakes,
// its reward and slashing. A node's config section adds what its kinds need (koiiTaskFields + its own fields, under
// koiiTaskChecks); koiiTaskConfigSchema is the round's alone.
import { z } from "zod";

const amount = z
  .union([z.string().regex(/^\d+$/, "expected a non-negative integer (decimal string)"), z.number().int().min(0)])
  .transform((v) => BigInt(v));

const bps = z.number().int().min(0).max(10_000);

/** Another node of the task (or this one): its Koii key, its stake, and where its attester server answers. */
export const koiiNodeSchema = z
  .object({
    /** base58 ed25519 public key. */
    koiiPublicKey: z.string().min(32).max(44),
    /** Koii stake (smallest unit); the initial value of the stake ledger, which slashing then lowers. */
    stake: amount,
    /** Base URL of the node's attester server; omitted for this node itself. */
    url: z.url({ message: "expected an http(s) URL" }).optional(),
  })
  .strict();

/** The round's fields of a node's task config; a node's own section spreads them beside its kinds' fields. */
export const koiiTaskFields = {
  /** Names the task; part of every signed submission and vote, so artefacts of another task never count. */
  taskId: z.string().min(1).max(64),
  /** Unix ms of the start of round 0; every node of the task must use the same value. */
  genesisMs: z.number().int().min(0),
  /** Length of a round's work period; the submission and audit windows of round n run during round n + 1. */
  roundMs: z.number().int().min(100).max(86_400_000),
  submissionMs: z.number().int().min(50),
  auditMs: z.number().int().min(50),
  /** Every node of the task, this one included (stake ledger and peers). */
  nodes: z.array(koiiNodeSchema).min(1),
  /** Reward pool per round, split by stake among the nodes whose submissions passed (smallest unit). */
  rewardPerRound: amount,
  /** Fail-vote stake (bps of the other nodes' stake) that slashes a node. */
  quorumBps: bps.min(5_001).default(6_667),
  /** Stake a node loses when audited out (its items do not stand up to the kind's audit). */
  slashBps: bps.default(1_000),
  /** Stake a node loses for equivocation (two conflicting items signed for one thing; the kind proves it). */
  equivocationSlashBps: bps.default(10_000),
  /** Tick of the task loop. */
  pollIntervalMs: z.number().int().min(10).max(600_000).default(500),
  requestTimeoutMs: z.number().int().min(10).max(120_000).default(5_000),
};

type TaskTiming = {
  readonly roundMs: number;
  readonly submissionMs: number;
  readonly auditMs: number;
  readonly nodes: readonly { readonly koiiPublicKey: string }[];
};

/** The round's rules over a task config: both windows fit in a round, every node listed once. */
export function koiiTaskChecks<T extends z.ZodType<TaskTiming>>(schema: T): T {
  return schema
    .refine((k) => k.submissionMs + k.auditMs <= k.roundMs, {
      message: "submissionMs + auditMs must fit in roundMs (one round in each window at a time)",
      path: ["auditMs"],
    })
    .superRefine((k, ctx) => {
      const seen = new Set<string>();
      for (const [i, node] of k.nodes.entries()) {
        if (seen.has(node.koiiPublicKey)) {
          ctx.addIssue({ code: "custom", path: ["nodes", i, "koiiPublicKey"], message: "listed twice" });
        }
        seen.add(node.koiiPublicKey);
      }
    });
}

export const koiiTaskConfigSchema = koiiTaskChecks(z.object(koiiTaskFields).strict());

export type KoiiTaskConfig = z.infer<typeof koiiTaskConfigSchema>;
export type KoiiNodeConfig = z.infer<typeof koiiNodeSchema>;
