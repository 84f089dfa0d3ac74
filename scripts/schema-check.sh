#!/usr/bin/env bash
# schema-check.sh — the GraphQL schema's breaking-change check and its release, with
# graphql-inspector (tools/schema-check: pinned in package.json and package-lock.json,
# installed with npm ci into .local/npm/schema-check, never globally).
#
#   scripts/schema-check.sh [check]      diff the released schema (docs/schema.released.graphql)
#                                        with the current one (docs/schema.graphql); fail on a
#                                        breaking change not declared in docs/schema-breaking.json
#   scripts/schema-check.sh release [LABEL]
#                                        check, then add the diff to docs/schema-changelog.md
#                                        under LABEL (default: today, UTC), make the current
#                                        schema the released one and empty the declarations
#
# A declared breaking change is an entry of docs/schema-breaking.json's "changes":
# {"path": "Query.streets", "change": "FIELD_REMOVED", "reason": "…"} (path and change as the
# diff names them); a removed field or enum value must carry @deprecated(reason:) in the
# released schema first. The files compared can be moved by GRIDGOV_SCHEMA_RELEASED,
# GRIDGOV_SCHEMA_CURRENT, GRIDGOV_SCHEMA_DECLARED and GRIDGOV_SCHEMA_CHANGELOG (the tests do).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
released=${GRIDGOV_SCHEMA_RELEASED:-$REPO/docs/schema.released.graphql}
current=${GRIDGOV_SCHEMA_CURRENT:-$REPO/docs/schema.graphql}
export GRIDGOV_SCHEMA_DECLARED=${GRIDGOV_SCHEMA_DECLARED:-$REPO/docs/schema-breaking.json}
changelog=${GRIDGOV_SCHEMA_CHANGELOG:-$REPO/docs/schema-changelog.md}
tool="$REPO/.local/npm/schema-check"

# install: graphql-inspector and the check's handlers into $tool.
install() {
	mkdir -p "$tool"
	cp "$REPO/tools/schema-check/package.json" "$REPO/tools/schema-check/package-lock.json" "$REPO"/tools/schema-check/*.cjs "$tool/"
	bash "$REPO/scripts/npm-ci.sh" "$tool"
}

# diff: graphql-inspector's diff of the released and the current schema, with the declared
# breaking changes let through; GRIDGOV_SCHEMA_CHANGES, when set, receives the changes.
diff_schemas() {
	"$tool/node_modules/.bin/graphql-inspector" diff "$released" "$current" \
		--rule "$tool/declared.cjs" --onComplete "$tool/changelog.cjs"
}

release() {
	local label=$1 changes
	changes=$(mktemp)
	trap 'rm -f "$changes"' RETURN
	GRIDGOV_SCHEMA_CHANGES=$changes diff_schemas
	if [[ ! -s "$changes" ]]; then
		echo "schema-check.sh: the schema has not changed since its last release; nothing to release"
		return 0
	fi
	local head rest
	head=$(sed -n '1,/^<!-- releases -->$/p' "$changelog")
	rest=$(sed '1,/^<!-- releases -->$/d' "$changelog" | sed '/./,$!d')
	{
		printf '%s\n\n## %s\n\n' "$head" "$label"
		cat "$changes"
		[[ -n "$rest" ]] && printf '\n%s\n' "$rest"
	} >"$changelog.new"
	mv "$changelog.new" "$changelog"
	cp "$current" "$released"
	printf '{\n  "changes": []\n}\n' >"$GRIDGOV_SCHEMA_DECLARED"
	echo "schema-check.sh: released the schema as $label"
}

install
case "${1:-check}" in
check) diff_schemas ;;
release) release "${2:-$(date -u +%F)}" ;;
*) echo "usage: $0 [check | release [LABEL]]" >&2; exit 2 ;;
esac
