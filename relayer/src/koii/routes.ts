// The Koii task's routes on the attester server (node-kit koii/routes.ts), with POST /koii/evidence taking the
// attestation kind's evidence (evidence.ts attestationEvidence) stored in the node's store, tasks or not.
import { type KoiiRouteDeps, type KoiiRoutes, koiiRoutes as taskRoutes } from "@maskoii/node-kit";
import { attestationEvidence } from "./evidence.ts";
import type { KoiiStore } from "./store.ts";

export { EVIDENCE_PER_SUBMITTER_PER_ROUND, type KoiiRoutes } from "@maskoii/node-kit";

export function koiiRoutes(deps: KoiiRouteDeps & { store: KoiiStore }): KoiiRoutes {
  return taskRoutes({ ...deps, evidence: deps.evidence ?? attestationEvidence(deps.store) });
}
