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
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
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
