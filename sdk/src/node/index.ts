/**
 * `@maskoii/sdk/node`: what needs Node built-ins (file system). The sdk root stays browser-safe; node processes,
 * scripts and tests import file loading from here.
 */
export * from "./deployment.ts";
