// manifest.mjs — the allow-list manifest of the client's operations, and their ids for the
// client.
//
//   npm run manifest [-- -o FILE]
//
// Each src/operations/*.graphql file is one operation document. FILE (default
// persisted-operations.json) receives Apollo's persisted query manifest, which gridgov's
// allow-list mode loads (GRIDGOV_ALLOWLIST=FILE): each operation's id is the hex SHA-256 of
// its file's exact text, its body that text. src/generated/operations.ts receives the ids and
// the operations' types by name, for src/client.ts.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "src/operations");
const flag = process.argv.indexOf("-o");
const out = flag >= 0 ? process.argv[flag + 1] : join(root, "persisted-operations.json");

const operations = readdirSync(dir)
  .filter((f) => f.endsWith(".graphql"))
  .sort()
  .map((file) => {
    const body = readFileSync(join(dir, file), "utf8");
    const found = [...body.matchAll(/^\s*(query|mutation|subscription)\s+(\w+)/gm)];
    if (found.length !== 1) {
      throw new Error(`${file}: a file holds exactly one named operation, found ${found.length}`);
    }
    const [, type, name] = found[0];
    return { id: createHash("sha256").update(body).digest("hex"), name, type, body };
  });

writeFileSync(out, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations }, null, 2) + "\n");

// codegen names an operation's types <Name>Query or <Name>Mutation and <...>Variables.
const typeName = (op) => op.name + op.type[0].toUpperCase() + op.type.slice(1);
const ts = [
  "// Written by scripts/manifest.mjs from src/operations: do not edit.",
  'import type * as T from "./graphql";',
  "",
  "export interface Operations {",
  ...operations.map((op) => `  ${op.name}: { data: T.${typeName(op)}; variables: T.${typeName(op)}Variables };`),
  "}",
  "",
  "export const operationIds: { readonly [K in keyof Operations]: string } = {",
  ...operations.map((op) => `  ${op.name}: "${op.id}",`),
  "};",
  "",
].join("\n");
mkdirSync(join(root, "src/generated"), { recursive: true });
writeFileSync(join(root, "src/generated/operations.ts"), ts);
console.log(`manifest.mjs: ${operations.length} operations into ${out}`);
