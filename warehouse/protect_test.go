package warehouse

import (
	"context"
	"strings"
	"testing"
)

// A panic in an indicator query's goroutine becomes that query's error, with the stack.
func TestProtectTurnsAPanicIntoAnError(t *testing.T) {
	err := protect(context.Background(), func(context.Context) error { panic("bad row") })
	if err == nil || !strings.Contains(err.Error(), "bad row") || !strings.Contains(err.Error(), "protect_test.go") {
		t.Fatalf("got %v", err)
	}
	if err := protect(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
