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

/** contracts/src/demo/DemoRecipient.sol: counts messages; its owner can make it reject them. */
export const demoRecipientAbi = [
  {
    type: "function",
    name: "handled",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "uint256" }],
  },
  {
    type: "function",
    name: "lastMessageHash",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "bytes32" }],
  },
  {
    type: "function",
    name: "rejecting",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "bool" }],
  },
  {
    type: "function",
    name: "setRejecting",
    stateMutability: "nonpayable",
    inputs: [{ name: "rejecting_", type: "bool" }],
    outputs: [],
  },
  {
    type: "event",
    name: "MessageHandled",
    anonymous: false,
    inputs: [
      { name: "origin", type: "uint32", indexed: true },
      { name: "sender", type: "bytes32", indexed: true },
      { name: "payload", type: "bytes", indexed: false },
    ],
  },
  {
    type: "error",
    name: "OnlyGateway",
    inputs: [{ name: "caller", type: "address" }],
  },
  {
    type: "error",
    name: "Rejected",
    inputs: [
      { name: "origin", type: "uint32" },
      { name: "sender", type: "bytes32" },
    ],
  },
] as const;
