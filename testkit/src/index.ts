// @maskoii/testkit: the one way tests, benches and the devnet start local chains, the local Solana endpoint and
// node processes, supervise and tear them down, deploy maskoii, and wait. Dev-only (a devDependency of test/,
// relayer/, bench/; the root's scripts use it for the devnet). The Hardhat deployment code is `@maskoii/testkit/deploy`,
// PostgreSQL test databases `@maskoii/testkit/postgres`, the indexer's and subgraph's bridge scenario driver
// `@maskoii/testkit/bridge-scenario`.
export { demoRecipientAbi, demoTokenAbi } from "./abi.ts";
export {
  type ChainHandle,
  cargoTargetDir,
  EvmChain,
  type EvmChainSpec,
  type Finality,
  HARDHAT,
  type HardhatNode,
  HOST,
  hardhatBuild,
  localRpcBinary,
  localRpcFromEnv,
  ROOT,
  SolanaChain,
  startEvmChain,
  startHardhatNode,
  startSolanaChain,
} from "./chains.ts";
export { TestkitError, type TestkitErrorCode } from "./errors.ts";
export {
  DEPLOY_FIXTURE,
  type DeployFixtureOptions,
  type DeployFixtureResult,
  type FixtureContracts,
  FixtureError,
  runDeployFixture,
  runNodeScript,
} from "./fixture.ts";
export { type Attester, compareAddresses, devnetAttesterKey, devnetAttesters } from "./keys.ts";
export {
  MASKOII_CLI,
  NodeError,
  NodeProcess,
  type NodeRole,
  startNodeProcess,
  waitHttpOk,
} from "./nodes.ts";
export {
  groupAlive,
  type ManagedProcess,
  NODE_RESTART,
  ProcessError,
  type ProcessSpec,
  type RestartEvent,
  type RestartPolicy,
  Supervisor,
} from "./processes.ts";
export { probeChainId, RpcError, waitForRpc } from "./rpc.ts";
export { freePort, until, WaitTimeoutError } from "./wait.ts";
