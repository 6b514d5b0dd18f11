// Input schemas of the REST routes (zod), shared by the handlers and the OpenAPI document.
import { z } from "zod";
import { MESSAGE_STATUSES } from "../../ponder.schema.ts";

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 50;

const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, { message: "expected a 0x-prefixed 32-byte hex id" })
  .transform((s) => s.toLowerCase() as `0x${string}`);
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: "expected a 0x-prefixed 20-byte address" })
  .transform((s) => s.toLowerCase() as `0x${string}`);
const domain = z.coerce.number().int().min(1).max(0xffffffff);
const limit = z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT);

export const messageParams = z.object({ id: bytes32 });
export const messagesQuery = z.object({
  sender: address.optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  limit,
  /** The `nextCursor` of the previous page: the last message id returned. */
  cursor: bytes32.optional(),
});
export const routeParams = z.object({ origin: domain, destination: domain });
export const routeQuery = z.object({
  limit,
  /** The `nextCursor` of the previous page: the last token returned. */
  cursor: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/, { message: "expected a token address" })
    .transform((s) => s.toLowerCase() as `0x${string}`)
    .optional(),
});

/** The field a failed validation names: the first issue's path. */
export function fieldOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined || issue.path.length === 0 ? "(input)" : issue.path.map(String).join(".");
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

function parameters(schema: z.ZodObject, where: "path" | "query") {
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: s,
  }));
}

const errorResponse = {
  description: "Invalid input: `field` names the first bad parameter",
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: { error: { type: "string" }, field: { type: "string" }, message: { type: "string" } },
        required: ["error", "field", "message"],
      },
    },
  },
};

/** The OpenAPI 3.1 document of the REST routes (GET /openapi.json). */
export function openApiDocument(): Record<string, unknown> {
  const page = (item: string) => ({
    type: "object",
    properties: {
      items: { type: "array", items: { $ref: `#/components/schemas/${item}` } },
      nextCursor: { type: ["string", "null"] },
    },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "maskoii indexer",
      version: "0.1.0",
      description:
        "Bridge messages and their lifecycle across the EVM chains and Solana. Big integers are decimal strings. " +
        "GraphQL is at /graphql, SQL over HTTP (@ponder/client) at /sql.",
    },
    paths: {
      "/messages/{id}": {
        get: {
          summary: "One message with its lifecycle steps and token legs",
          parameters: parameters(messageParams, "path"),
          responses: {
            "200": {
              description: "The message",
              content: { "application/json": { schema: { $ref: "#/components/schemas/MessageDetail" } } },
            },
            "400": errorResponse,
            "404": { description: "No such message (yet)" },
          },
        },
      },
      "/messages": {
        get: {
          summary: "Messages by sender and status, by id, cursor-paginated",
          parameters: parameters(messagesQuery, "query"),
          responses: {
            "200": { description: "A page", content: { "application/json": { schema: page("Message") } } },
            "400": errorResponse,
          },
        },
      },
      "/routes/{origin}/{destination}/volume": {
        get: {
          summary: "Volume sent from origin to destination, per origin token, with totals",
          parameters: [...parameters(routeParams, "path"), ...parameters(routeQuery, "query")],
          responses: {
            "200": {
              description: "Volume per token",
              content: { "application/json": { schema: { $ref: "#/components/schemas/RouteVolume" } } },
            },
            "400": errorResponse,
          },
        },
      },
    },
    components: {
      schemas: {
        Message: {
          type: "object",
          properties: {
            id: { type: "string" },
            originDomain: { type: ["integer", "null"] },
            destinationDomain: { type: ["integer", "null"] },
            nonce: { type: ["string", "null"] },
            sender: { type: ["string", "null"] },
            recipient: { type: ["string", "null"] },
            kind: { type: "string" },
            status: { type: "string", enum: [...MESSAGE_STATUSES] },
            sentAt: { type: ["string", "null"] },
            attestedAt: { type: ["string", "null"] },
            deliveredAt: { type: ["string", "null"] },
            failedAt: { type: ["string", "null"] },
            retryCount: { type: "integer" },
            latencySeconds: { type: ["string", "null"] },
          },
          additionalProperties: true,
        },
        MessageDetail: {
          allOf: [
            { $ref: "#/components/schemas/Message" },
            {
              type: "object",
              properties: {
                events: { type: "array", items: { type: "object" } },
                transfer: { type: ["object", "null"] },
              },
            },
          ],
        },
        RouteVolume: {
          type: "object",
          properties: {
            origin: { type: "integer" },
            destination: { type: "integer" },
            transfers: { type: "integer" },
            wireAmount: { type: "string" },
            tokens: { type: "array", items: { type: "object" } },
            nextCursor: { type: ["string", "null"] },
          },
        },
      },
    },
  };
}
