package resolvers

import (
	"gridgov/apperr"
	"gridgov/gid"
)

// Global ids are base64url("Type:rowid"): opaque to clients, typed for the server, so an id
// of the wrong type is refused instead of silently reading another table.

// GlobalID gives the global id of a row of GraphQL type typ.
func GlobalID(typ string, id int64) string { return gid.Encode(typ, id) }

// parseGlobalID splits a global id into its type and row id.
func parseGlobalID(s string) (string, int64, bool) { return gid.Decode(s) }

// idOf decodes a global id that must be of type typ; field names the input for the error.
func idOf(field, typ, gid string) (int64, error) {
	t, id, ok := parseGlobalID(gid)
	if !ok {
		return 0, apperr.Invalid(field, "not a valid id")
	}
	if t != typ {
		return 0, apperr.Invalid(field, "expected the id of a %s, got one of a %s", typ, t)
	}
	return id, nil
}

// optID decodes an optional global id.
func optID(field, typ string, gid *string) (*int64, error) {
	if gid == nil {
		return nil, nil
	}
	id, err := idOf(field, typ, *gid)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// idsOf decodes a list of global ids of one type.
func idsOf(field, typ string, gids []string) ([]int64, error) {
	out := make([]int64, 0, len(gids))
	for _, g := range gids {
		id, err := idOf(field, typ, g)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}
