// Where secrets come from: a file, an environment variable or stdin. Never from argv (visible in `ps`).
import { readFile } from "node:fs/promises";
import { SecretUnavailableError } from "../errors.ts";

/** The environment variable holding the keystore password when no password file is configured. */
export const PASSWORD_ENV = "MASKOII_KEYSTORE_PASSWORD";

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Strips one trailing newline (what `echo` and editors add), nothing else. */
function trimNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/**
 * The keystore password: from `file` if given, else from MASKOII_KEYSTORE_PASSWORD, else (when `stdin` is given
 * and not a TTY) the whole of stdin. Throws `SecretUnavailableError` if none yields a non-empty password.
 */
export async function readPassword(args: {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  stdin?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
}): Promise<string> {
  if (args.file !== undefined) {
    let text: string;
    try {
      text = trimNewline(await readFile(args.file, "utf8"));
    } catch (cause) {
      throw new SecretUnavailableError(`password file ${args.file}: ${cause instanceof Error ? cause.message : cause}`);
    }
    if (text.length === 0) throw new SecretUnavailableError(`password file ${args.file} is empty`);
    return text;
  }
  const fromEnv = (args.env ?? process.env)[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  if (args.stdin !== undefined && args.stdin.isTTY !== true) {
    const text = trimNewline(await readStdin(args.stdin));
    if (text.length > 0) return text;
  }
  throw new SecretUnavailableError(`set keys.passwordFile, ${PASSWORD_ENV}, or pipe the password on stdin`);
}
