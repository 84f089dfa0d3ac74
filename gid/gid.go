// Package gid encodes gridgov's global ids: base64url("Type:rowid"). They are opaque to
// clients and typed for the server, so an id of the wrong type is refused instead of silently
// reading another table. The API, tokens (scopes) and cursors share this one codec.
package gid

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Encode gives the global id of row id of GraphQL type typ.
func Encode(typ string, id int64) string {
	// Built on the stack: every id of every row a response holds goes through here, so the
	// encoded string is its only allocation.
	var raw [64]byte
	b := strconv.AppendInt(append(append(raw[:0], typ...), ':'), id, 10)
	var out [88]byte
	return string(base64.RawURLEncoding.AppendEncode(out[:0], b))
}

// Decode splits a global id into its type and row id; ok is false for anything malformed.
func Decode(s string) (typ string, id int64, ok bool) {
	if len(s) > 64 {
		return "", 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	typ, num, found := strings.Cut(string(b), ":")
	if !found || typ == "" {
		return "", 0, false
	}
	id, err = strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return typ, id, true
}
