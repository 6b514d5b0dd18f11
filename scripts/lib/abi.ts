// ABIs the scripts need beyond the sdk's generated protocol ABIs: the devnet's demo token.
import { erc20Abi } from "viem";

/** contracts/src/demo/DemoToken.sol: ERC-20 plus an owner-only `mint`. */
export const demoTokenAbi = [
  ...erc20Abi,
  {
    type: "function",
    name: "mint",
    stateMutability: "nonpayable",
    inputs: [
      { name: "to", type: "address" },
      { name: "amount", type: "uint256" },
    ],
    outputs: [],
  },
  {
    type: "function",
    name: "owner",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "address" }],
  },
] as const;
