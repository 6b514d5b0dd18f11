// Structured logs (pino). Secrets never reach a log line: known secret fields are censored, and keys/passwords are
// never put in log objects in the first place.
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/** Field paths censored in every log line, whatever logs them. */
export const REDACTED_PATHS = [
  "privateKey",
  "secretKey",
  "password",
  "secret",
  "mnemonic",
  "*.privateKey",
  "*.secretKey",
  "*.password",
  "*.secret",
  "*.mnemonic",
  "keys.passwordFile",
];

/** A logger writing JSON lines to `destination` (stdout by default). */
export function createLogger(options: { level: string; name?: string }, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? "maskoii",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/** A logger that discards everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
