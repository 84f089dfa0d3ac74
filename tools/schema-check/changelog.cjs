// A graphql-inspector diff completion handler (--onComplete): fails on a breaking change as
// the default handler does, and, when GRIDGOV_SCHEMA_CHANGES names a file, writes the
// changes there as Markdown list items grouped by criticality, for docs/schema-changelog.md.
"use strict";
const fs = require("fs");

const groups = [
  ["Breaking, declared", (c) => c.declared],
  ["Dangerous", (c) => !c.declared],
];

function items(changes) {
  return changes
    .slice()
    .sort((a, b) => (a.path || "").localeCompare(b.path || ""))
    .map((c) => `- ${c.message}`)
    .join("\n");
}

module.exports = function changelog({ breakingChanges, dangerousChanges, nonBreakingChanges }) {
  if (breakingChanges.length) {
    console.error(`[error] Detected ${breakingChanges.length} breaking change(s): declare each in ${process.env.GRIDGOV_SCHEMA_DECLARED} with a reason, a removal after deprecating it in a release`);
    process.exit(1);
  }
  const out = process.env.GRIDGOV_SCHEMA_CHANGES;
  if (!out) return;
  const sections = [];
  for (const [title, pick] of groups) {
    const some = dangerousChanges.filter(pick);
    if (some.length) sections.push(`${title}:\n\n${items(some)}`);
  }
  if (nonBreakingChanges.length) sections.push(`Non-breaking:\n\n${items(nonBreakingChanges)}`);
  fs.writeFileSync(out, sections.join("\n\n") + (sections.length ? "\n" : ""));
};
