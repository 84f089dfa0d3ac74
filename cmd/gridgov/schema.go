package main

import (
	"context"
	"fmt"

	"github.com/vektah/gqlparser/v2/formatter"

	"gridgov/graph"
)

// cmdSchema prints the GraphQL SDL the binary serves, as one document with descriptions:
// what frontend teams code against.
func cmdSchema(_ context.Context, a *app, args []string) error {
	if len(args) != 1 || args[0] != "print" {
		return fmt.Errorf("usage: gridgov schema print")
	}
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	formatter.NewFormatter(a.stdout, formatter.WithIndent("  ")).FormatSchema(s)
	return nil
}
