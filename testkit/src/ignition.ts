// Hardhat Ignition module: one maskoii deployment on one chain.
//
// Gateway (which is also this chain's attester set) -> TokenBridge, plus a canonical demo ERC-20 (lock/release on this chain) and a BridgedToken
// (burn/mint, owned by this chain's TokenBridge) that represents the remote chain's demo token. Cross-chain wiring
// (remote bridges, token registration and links, rate limits, fees) needs both chains' addresses and is done by
// deploy.ts once both chains are deployed.
//
// One chain from the CLI (parameters of the devnet's attesters, see contracts/ignition/parameters/):
//   npx hardhat ignition deploy contracts/ignition/modules/maskoii.ts --network devnetA \
//     --parameters contracts/ignition/parameters/devnetA.json
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** One day: how long a rotated-out attester set keeps verifying (protocol §4 default). */
export const DEFAULT_OVERLAP_WINDOW = 86_400;
/** Seven days: the emergency rotation timelock (protocol §4 default; the contract requires at least two days). */
export const DEFAULT_EMERGENCY_DELAY = 7 * 86_400;

/**
 * Parameters (module id "Maskoii"):
 * - domain: uint32 maskoii domain of this chain (required).
 * - attesters: address[] sorted strictly ascending (required); weights: uint96[] of the same length (required).
 * - thresholdBps: 5001..10000 (required).
 * - overlapWindow, emergencyDelay: seconds (defaults above).
 * - owner, guardian: default to the deployer (account 0).
 * - demoName / demoSymbol / demoDecimals: the canonical demo token.
 * - bridgedName / bridgedSymbol / bridgedDecimals: the BridgedToken minted by this chain's bridge.
 */
const MaskoiiModule = buildModule("Maskoii", (m) => {
  const domain = m.getParameter<number>("domain");
  const attesters = m.getParameter<string[]>("attesters");
  const weights = m.getParameter<bigint[]>("weights");
  const thresholdBps = m.getParameter<number>("thresholdBps");
  const overlapWindow = m.getParameter("overlapWindow", DEFAULT_OVERLAP_WINDOW);
  const emergencyDelay = m.getParameter("emergencyDelay", DEFAULT_EMERGENCY_DELAY);
  const owner = m.getParameter("owner", m.getAccount(0));
  const guardian = m.getParameter("guardian", m.getAccount(0));

  // The Gateway is its chain's attester set (verify/rotate/equivocation live on it; `attesterSet()` returns its own
  // address), so there is no separate AttesterSet deployment.
  const gateway = m.contract("Gateway", [
    domain,
    owner,
    guardian,
    attesters,
    weights,
    thresholdBps,
    overlapWindow,
    emergencyDelay,
  ]);
  const tokenBridge = m.contract("TokenBridge", [gateway, owner]);

  const demoToken = m.contract("DemoToken", [
    m.getParameter("demoName", "maskoii demo"),
    m.getParameter("demoSymbol", "DEMO"),
    m.getParameter("demoDecimals", 18),
    owner,
  ]);
  const bridgedToken = m.contract("BridgedToken", [
    m.getParameter("bridgedName", "maskoii bridged demo"),
    m.getParameter("bridgedSymbol", "bDEMO"),
    m.getParameter("bridgedDecimals", 18),
    tokenBridge,
  ]);

  return { gateway, tokenBridge, demoToken, bridgedToken };
});

export default MaskoiiModule;
