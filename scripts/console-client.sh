#!/usr/bin/env bash
# console-client.sh — build and check the typed client example (examples/console-client):
# npm ci into its node_modules (scripts/npm-ci.sh), the allow-list manifest of its
# operations, their types by graphql-codegen from docs/schema.graphql, and tsc (strict) over
# the client. Fails on a type error: an operation the schema no longer answers, or client
# code that misreads an answer.
#
#   scripts/console-client.sh [-o MANIFEST]   MANIFEST: where the allow-list manifest goes
#                                             (default examples/console-client/persisted-operations.json)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$REPO/examples/console-client"
manifest="$dir/persisted-operations.json"
if [[ "${1:-}" == "-o" ]]; then
	manifest=$(realpath -m "$2")
fi
bash "$REPO/scripts/npm-ci.sh" "$dir"
cd "$dir"
npm run --silent manifest -- -o "$manifest"
npm run --silent codegen -- --silent
npm run --silent typecheck
echo "console-client.sh: the client type-checks against docs/schema.graphql; manifest in $manifest"
