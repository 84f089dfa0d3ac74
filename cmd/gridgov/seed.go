package main

import (
	"context"
	"fmt"
)

func cmdSeed(ctx context.Context, a *app, args []string) error {
	return fmt.Errorf("not yet")
}
