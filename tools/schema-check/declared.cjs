// A graphql-inspector diff rule (--rule): a breaking change listed in the declared file
// (GRIDGOV_SCHEMA_DECLARED, docs/schema-breaking.json) with a reason is let through as
// dangerous, its reason appended. A removed field or enum value must have been deprecated
// (@deprecated(reason:)) in the released schema first; declared but never deprecated, it
// stays breaking. A declaration that matches no change is reported, so the file holds only
// what the diff shows.
"use strict";
const fs = require("fs");
const { isObjectType, isInterfaceType, isEnumType } = require("graphql");

function declarations() {
  const file = process.env.GRIDGOV_SCHEMA_DECLARED;
  const { changes = [] } = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const d of changes) {
    if (!d.path || !d.change || !String(d.reason || "").trim()) {
      throw new Error(`${file}: each declared change needs path, change and reason: ${JSON.stringify(d)}`);
    }
  }
  return changes;
}

// deprecatedBefore tells whether what a removal took away was deprecated in the old schema;
// changes of other kinds need no deprecation.
function deprecatedBefore(change, oldSchema) {
  const [typeName, member] = (change.path || "").split(".");
  const type = oldSchema && oldSchema.getType(typeName);
  if (change.type === "FIELD_REMOVED" && (isObjectType(type) || isInterfaceType(type))) {
    const field = type.getFields()[member];
    return Boolean(field && field.deprecationReason);
  }
  if (change.type === "ENUM_VALUE_REMOVED" && isEnumType(type)) {
    const value = type.getValue(member);
    return Boolean(value && value.deprecationReason);
  }
  return true;
}

module.exports = function declared({ changes, oldSchema }) {
  const list = declarations();
  const used = new Set();
  const out = changes.map((change) => {
    if (change.criticality.level !== "BREAKING") return change;
    const d = list.find((x) => x.path === change.path && x.change === change.type);
    if (!d) return change;
    used.add(d);
    if (!deprecatedBefore(change, oldSchema)) {
      return { ...change, message: `${change.message} (declared, but not deprecated in the released schema first)` };
    }
    return {
      ...change,
      criticality: { ...change.criticality, level: "DANGEROUS", reason: d.reason },
      message: `${change.message} (declared breaking: ${d.reason})`,
      declared: true,
    };
  });
  for (const d of list) {
    if (!used.has(d)) console.error(`[warn] declared ${d.change} ${d.path} matches no breaking change of the diff`);
  }
  return out;
};
