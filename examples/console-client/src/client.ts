// A typed client of gridgov's POST /graphql. Operations are sent by id only, as allow-list
// mode expects ({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": id}}}): the
// server runs the registered document with that id. Every error carries extensions.code
// (the codes are described in the schema: docs/schema.graphql).
import { operationIds, type Operations } from "./generated/operations";

export type OperationName = keyof Operations;

export interface GraphQLErrorItem {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

// ApiError is an answer with errors: the first error's code, and all of them.
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly errors: readonly GraphQLErrorItem[],
  ) {
    super(errors.map((e) => e.message).join("; "));
  }
}

export interface ClientOptions {
  // The API's origin, e.g. "https://gridgov.example"; "" for the page's own.
  baseUrl: string;
  // A bearer token (gridgov token …).
  token: string;
}

export function createClient(options: ClientOptions) {
  return async function execute<K extends OperationName>(
    name: K,
    variables: Operations[K]["variables"],
  ): Promise<Operations[K]["data"]> {
    const res = await fetch(`${options.baseUrl}/graphql`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${options.token}` },
      body: JSON.stringify({
        operationName: name,
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: operationIds[name] } },
      }),
    });
    const answer = (await res.json()) as { data?: Operations[K]["data"] | null; errors?: GraphQLErrorItem[] };
    if (answer.errors?.length || !answer.data) {
      const errors = answer.errors ?? [{ message: `HTTP ${res.status} without data` }];
      throw new ApiError(errors[0]?.extensions?.code ?? "INTERNAL", errors);
    }
    return answer.data;
  };
}

export type Execute = ReturnType<typeof createClient>;
