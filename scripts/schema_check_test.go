package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// schemaCheck runs `bash schema-check.sh ARGS...` over the files of dir (released.graphql,
// current.graphql, declared.json, changelog.md) and gives its output and whether it passed.
func schemaCheck(t *testing.T, dir string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", append([]string{"schema-check.sh"}, args...)...)
	cmd.Env = append(os.Environ(),
		"GRIDGOV_SCHEMA_RELEASED="+filepath.Join(dir, "released.graphql"),
		"GRIDGOV_SCHEMA_CURRENT="+filepath.Join(dir, "current.graphql"),
		"GRIDGOV_SCHEMA_DECLARED="+filepath.Join(dir, "declared.json"),
		"GRIDGOV_SCHEMA_CHANGELOG="+filepath.Join(dir, "changelog.md"))
	out, err := cmd.CombinedOutput()
	t.Logf("$ bash schema-check.sh %s\n%s", strings.Join(args, " "), out)
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// schemaFiles writes a released and a current schema, both edited from docs/schema.graphql,
// the declarations and the changelog into a new directory.
func schemaFiles(t *testing.T, released, current func(string) string, declared string) string {
	t.Helper()
	sdl, err := os.ReadFile("../docs/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	changelog, err := os.ReadFile("../docs/schema-changelog.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"released.graphql": released(string(sdl)), "current.graphql": current(string(sdl)),
		"declared.json": declared, "changelog.md": string(changelog)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func same(sdl string) string { return sdl }

// withoutStreets takes Query.streets away (it becomes Query.streetsByName).
func withoutStreets(sdl string) string {
	return strings.Replace(sdl, "\n  streets(", "\n  streetsByName(", 1)
}

// withNewField adds a nullable field to Query.
func withNewField(sdl string) string {
	return strings.Replace(sdl, "\ntype Query {\n", "\ntype Query {\n  \"\"\"\n  A field added.\n  \"\"\"\n  addedField: Int\n", 1)
}

// streetsDeprecated marks Query.streets deprecated.
func streetsDeprecated(sdl string) string {
	at := strings.Index(sdl, "\n  streets(")
	end := at + strings.Index(sdl[at:], "): StreetConnection!")
	return sdl[:end] + `): StreetConnection! @deprecated(reason: "Use streetsByName.")` + sdl[end+len("): StreetConnection!"):]
}

const (
	noDeclarations  = `{"changes": []}`
	streetsDeclared = `{"changes": [{"path": "Query.streets", "change": "FIELD_REMOVED", "reason": "replaced by streetsByName"}]}`
)

// TestSchemaCheck runs the breaking-change check (graphql-inspector) on the committed schema
// and on edited copies: a removed field fails it unless it was deprecated in the released
// schema and is declared with a reason; an added field passes; a release writes the diff to
// the changelog, makes the current schema the released one and empties the declarations.
func TestSchemaCheck(t *testing.T) {
	t.Run("committed", func(t *testing.T) {
		if out, err := exec.CommandContext(t.Context(), "bash", "schema-check.sh").CombinedOutput(); err != nil {
			t.Errorf("docs/schema.graphql breaks docs/schema.released.graphql: %v\n%s", err, out)
		}
	})
	for _, c := range []struct {
		name              string
		released, current func(string) string
		declared          string
		pass              bool
		says              string
	}{
		{"removed field", same, withoutStreets, noDeclarations, false, "Field streets was removed from object type Query"},
		{"added field", same, withNewField, noDeclarations, true, "Field addedField was added"},
		{"removal declared, never deprecated", same, withoutStreets, streetsDeclared, false, "not deprecated in the released schema first"},
		{"removal deprecated, not declared", streetsDeprecated, withoutStreets, noDeclarations, false, "was removed"},
		{"removal deprecated and declared", streetsDeprecated, withoutStreets, streetsDeclared, true, "declared breaking: replaced by streetsByName"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, passed := schemaCheck(t, schemaFiles(t, c.released, c.current, c.declared))
			if passed != c.pass || !strings.Contains(out, c.says) {
				t.Errorf("passed %v, want %v, saying %q", passed, c.pass, c.says)
			}
		})
	}
	t.Run("release", func(t *testing.T) {
		dir := schemaFiles(t, streetsDeprecated, withoutStreets, streetsDeclared)
		if _, passed := schemaCheck(t, dir, "release", "v-next"); !passed {
			t.Fatal("release failed")
		}
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		log := read("changelog.md")
		entry := strings.Index(log, "## v-next\n")
		if entry < 0 || entry > strings.Index(log, "## 2026-12-07") ||
			!strings.Contains(log[entry:], "Breaking, declared:\n\n- Field 'streets' (deprecated) was removed from object type 'Query' (declared breaking: replaced by streetsByName)") ||
			!strings.Contains(log[entry:], "Non-breaking:\n\n- Field 'streetsByName' was added to object type 'Query'") {
			t.Errorf("the changelog lacks the release's entry above the earlier ones:\n%s", log)
		}
		if read("released.graphql") != read("current.graphql") {
			t.Error("the released schema is not the current one after the release")
		}
		if strings.Contains(read("declared.json"), "Query.streets") {
			t.Error("the declarations outlived their release")
		}
		if out, passed := schemaCheck(t, dir); !passed || !strings.Contains(out, "No changes detected") {
			t.Error("the check after the release finds changes")
		}
	})
}
