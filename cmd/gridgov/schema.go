package main

import (
	"context"
	"fmt"
	"os"

	"gridgov/server"
)

// cmdSchema prints the GraphQL SDL the binary serves, as one document with descriptions:
// what frontend teams code against. With -o FILE it writes the file instead (go generate
// keeps docs/schema.graphql so).
func cmdSchema(_ context.Context, a *app, args []string) error {
	switch {
	case len(args) == 1 && args[0] == "print":
		_, err := a.stdout.Write(server.SDL())
		return err
	case len(args) == 3 && args[0] == "print" && args[1] == "-o":
		return os.WriteFile(args[2], server.SDL(), 0o644)
	}
	return fmt.Errorf("usage: gridgov schema print [-o FILE]")
}
