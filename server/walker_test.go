package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"gridgov/graph"
	"gridgov/store"
)

// schema is the API's schema, for validating the generated documents.
var schema = graph.NewExecutableSchema(graph.Config{}).Schema()

// fragmentGraph builds, from fuzz input, a valid document of fragments that spread earlier
// fragments (any number of times, directly or in inline fragments) beside fields, lists and
// connections. Every byte picks the next selection; a fragment ends at a zero byte.
func fragmentGraph(data []byte) string {
	var b strings.Builder
	frag, sels, alias := 0, 0, 0
	fmt.Fprintf(&b, "fragment F0 on Query { __typename ")
	for i, c := range data {
		if c == 0 || sels == 8 || i == len(data)-1 {
			frag++
			sels = 0
			fmt.Fprintf(&b, "}\nfragment F%d on Query { __typename ", frag)
			continue
		}
		sels++
		alias++
		target := -1
		if frag > 0 {
			target = int(c>>3) % frag
		}
		switch c % 8 {
		case 0, 1, 2:
			if target >= 0 {
				fmt.Fprintf(&b, "...F%d ", target)
				continue
			}
			b.WriteString("__typename ")
		case 3:
			fmt.Fprintf(&b, "c%d: issueCategories { name } ", alias)
		case 4:
			fmt.Fprintf(&b, "i%d: issues(first: %d) { totalCount edges { node { id title } } } ", alias, int(c)%101)
		case 5:
			if target >= 0 {
				fmt.Fprintf(&b, "... on Query { ...F%d } ", target)
				continue
			}
			b.WriteString("... on Query { __typename } ")
		case 6:
			fmt.Fprintf(&b, "g%d: grids(last: %d) { edges { node { community { street { name } } } } } ", alias, int(c)%7)
		case 7:
			if target >= 0 {
				fmt.Fprintf(&b, "...F%d ...F%d ", target, target)
				continue
			}
			b.WriteString("__typename ")
		}
	}
	b.WriteString("}\n")
	spreads := make([]string, frag+1)
	for i := range spreads {
		spreads[i] = fmt.Sprintf("...F%d", i)
	}
	return "query { " + strings.Join(spreads, " ") + " }\n" + b.String()
}

// selectionsAsWritten counts the selections of a document as written, where the walker may
// enter: those of the operation and of every fragment definition, each once.
func selectionsAsWritten(doc *ast.QueryDocument) int {
	n := 0
	var count func(ast.SelectionSet)
	count = func(set ast.SelectionSet) {
		n += len(set)
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				count(s.SelectionSet)
			case *ast.InlineFragment:
				count(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		count(f.SelectionSet)
	}
	return n
}

// expanded measures a selection set the slow way, expanding every spread where it stands, as
// the cost model reads; it gives up (false) beyond budget visits.
func expanded(set ast.SelectionSet, budget *int) (measure, bool) {
	var m measure
	for _, s := range set {
		if *budget--; *budget < 0 {
			return m, false
		}
		var x measure
		ok := true
		switch s := s.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			var children measure
			children, ok = expanded(s.SelectionSet, budget)
			x = measure{height: children.height + 1, cost: saturating(1, children.cost)}
			w := newWalker(nil)
			switch t := s.Definition.Type; {
			case strings.HasSuffix(t.Name(), "Connection"):
				x.cost = saturating(1, times(w.size(s, store.DefaultPage), children.cost))
			case t.Elem != nil && len(s.SelectionSet) > 0:
				x.cost = saturating(1, times(w.size(s, listGuess), children.cost))
			}
		case *ast.InlineFragment:
			x, ok = expanded(s.SelectionSet, budget)
		case *ast.FragmentSpread:
			x, ok = expanded(s.Definition.SelectionSet, budget)
		}
		if !ok {
			return m, false
		}
		m.height = max(m.height, x.height)
		m.cost = saturating(m.cost, x.cost)
	}
	return m, true
}

// FuzzCostWalker: over random fragment graphs, the walker visits each selection written in
// the document at most once, however often fragments spread one another (so its work is
// linear in the document), and measures what expanding every spread measures.
func FuzzCostWalker(f *testing.F) {
	f.Add([]byte{0x12, 0x0b, 0x04, 0})
	f.Add([]byte("\x03\x04\x06\x05\x00\x0f\x17\x00\x0f\x0f\x00\x17\x1f\x00\x27\x2f"))
	bomb := []byte{0x03, 0}
	for i := 1; i < 12; i++ {
		bomb = append(bomb, byte(i-1)<<3|7, 0) // each fragment spreads the one before twice
	}
	f.Add(bomb)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 2000 {
			return
		}
		src := fragmentGraph(data)
		doc, err := parser.ParseQuery(&ast.Source{Input: src})
		if err != nil {
			t.Fatalf("generated document does not parse: %v\n%s", err, src)
		}
		if errs := validator.Validate(schema, doc); len(errs) > 0 {
			t.Fatalf("generated document is not valid: %v\n%s", errs, src)
		}
		w := newWalker(nil)
		got := w.selection(doc.Operations[0].SelectionSet)
		if limit := selectionsAsWritten(doc); w.visits > limit {
			t.Fatalf("%d visits for %d selections written:\n%s", w.visits, limit, src)
		}
		budget := 200_000
		if want, ok := expanded(doc.Operations[0].SelectionSet, &budget); ok && want != got {
			t.Fatalf("walker measured %+v, expansion %+v:\n%s", got, want, src)
		}
	})
}

// TestWalkerIsLinearOnABomb: 25 fragments each spreading the one before twice (2^25
// expansions of the first) are measured in one visit per selection.
func TestWalkerIsLinearOnABomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("query { ...F25 }\nfragment F0 on Query { issueCategories { name } }\n")
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	if errs := validator.Validate(schema, doc); len(errs) > 0 {
		t.Fatal(errs)
	}
	w := newWalker(nil)
	m := w.selection(doc.Operations[0].SelectionSet)
	if w.visits > selectionsAsWritten(doc) || m.cost != (1+listGuess)<<25 || m.height != 2 {
		t.Errorf("%d visits for %d selections; measured %+v", w.visits, selectionsAsWritten(doc), m)
	}
}

// TestCostModel: the prices the cost model documents, fragments or not.
func TestCostModel(t *testing.T) {
	for _, c := range []struct {
		query         string
		height, cost  int
		introspection bool
	}{
		{`{ issueCategories { name } }`, 2, 1 + listGuess*1, false},
		// edges is a list without a size argument: listGuess times its children.
		{`{ issues(first: 100) { edges { node { events(last: 20) { note } } } } }`, 5, 1 + 100*(1+listGuess*(1+(1+20*1))), false},
		{`{ issues { totalCount } }`, 2, 1 + store.DefaultPage*1, false},
		{`{ issues(first: 3) { ...E } } fragment E on IssueConnection { edges { node { id } } }`, 4, 1 + 3*(1+listGuess*2), false},
		{`{ a: grids(last: 2) { edges { node { ... on Grid { name } } } } b: grids(last: 2) { edges { node { name } } } }`, 4, 2 * (1 + 2*(1+listGuess*2)), false},
		{`{ issues(first: 100000) { totalCount } }`, 2, 1 + store.MaxPage, false},
		{`{ __typename __schema { types { name } } }`, 0, 0, true},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
		if err != nil {
			t.Fatal(err)
		}
		if errs := validator.Validate(schema, doc); len(errs) > 0 {
			t.Fatal(errs)
		}
		w := newWalker(nil)
		m := w.selection(doc.Operations[0].SelectionSet)
		if m.height != c.height || m.cost != c.cost || w.introspects != c.introspection {
			t.Errorf("%s: measured %+v (introspection %v), want height %d cost %d (introspection %v)",
				c.query, m, w.introspects, c.height, c.cost, c.introspection)
		}
	}
}
