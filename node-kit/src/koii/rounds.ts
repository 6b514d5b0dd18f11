// The task's clock. Round n's work period is [genesis + n·roundMs, genesis + (n+1)·roundMs); after it come round
// n's submission window (submissionMs), its audit window (auditMs), then its distribution (any time after, once).
// Pure functions of the schedule and a time, so every node agrees on which round and phase "now" is.

export type RoundSchedule = {
  readonly genesisMs: number;
  readonly roundMs: number;
  readonly submissionMs: number;
  readonly auditMs: number;
};

export type Phase = "pending" | "work" | "submission" | "audit" | "distribution";

export type RoundWindows = {
  readonly round: number;
  readonly workStart: number;
  readonly workEnd: number;
  readonly submissionEnd: number;
  readonly auditEnd: number;
};

/** The round whose work period contains `now`; -1 before genesis. */
export function roundAt(s: RoundSchedule, now: number): number {
  if (now < s.genesisMs) return -1;
  return Math.floor((now - s.genesisMs) / s.roundMs);
}

export function windowsOf(s: RoundSchedule, round: number): RoundWindows {
  const workStart = s.genesisMs + round * s.roundMs;
  const workEnd = workStart + s.roundMs;
  const submissionEnd = workEnd + s.submissionMs;
  return { round, workStart, workEnd, submissionEnd, auditEnd: submissionEnd + s.auditMs };
}

/** Where round `round` stands at `now`. */
export function phaseOf(s: RoundSchedule, round: number, now: number): Phase {
  const w = windowsOf(s, round);
  if (now < w.workStart) return "pending";
  if (now < w.workEnd) return "work";
  if (now < w.submissionEnd) return "submission";
  if (now < w.auditEnd) return "audit";
  return "distribution";
}

/** The round in its submission window at `now` (at most one, since submissionMs + auditMs ≤ roundMs), if any. */
export function roundInPhase(s: RoundSchedule, phase: "submission" | "audit", now: number): number | undefined {
  const previous = roundAt(s, now) - 1;
  if (previous < 0) return undefined;
  return phaseOf(s, previous, now) === phase ? previous : undefined;
}
