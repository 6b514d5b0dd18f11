// Hardhat Ignition module: one maskoii deployment on one chain. It lives in @maskoii/testkit (ignition.ts) beside
// the deployment code that uses it; this file is where Ignition's CLI finds it:
//   npx hardhat ignition deploy contracts/ignition/modules/maskoii.ts --network devnetA \
//     --parameters contracts/ignition/parameters/devnetA.json
export { DEFAULT_EMERGENCY_DELAY, DEFAULT_OVERLAP_WINDOW, default } from "@maskoii/testkit/ignition";
