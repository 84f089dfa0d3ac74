// Package scalar marshals gridgov's custom GraphQL scalars. It sits apart from resolvers
// because the generated executor in graph/ imports it, and graph/ must not import resolvers.
package scalar

import (
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/apperr"
)

// dateLayout is the wire form of Date.
const dateLayout = "2006-01-02"

// MarshalDate writes a calendar day as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(dateLayout))) //nolint:errcheck
	})
}

// UnmarshalDate reads "YYYY-MM-DD" into midnight UTC of that day.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.New(apperr.BadUserInput, "a Date is a string YYYY-MM-DD")
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, apperr.New(apperr.BadUserInput, "%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}

// MarshalDateTime writes an instant as RFC 3339.
func MarshalDateTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalDateTime reads an RFC 3339 instant; a malformed one is the client's error.
func UnmarshalDateTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		return time.Time{}, apperr.New(apperr.BadUserInput, "a DateTime is an RFC 3339 string such as 2024-05-01T08:30:00+08:00")
	}
	return t, nil
}

// MarshalJSON writes a JSON document as is; a nil or empty one is null.
func MarshalJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(v) == 0 {
			io.WriteString(w, "null") //nolint:errcheck
			return
		}
		w.Write(v) //nolint:errcheck
	})
}

// UnmarshalJSON reads any input value as a JSON document.
func UnmarshalJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, apperr.New(apperr.BadUserInput, "not a JSON value")
	}
	return b, nil
}

// MarshalUpload refuses to write a file: Upload is an input only.
func MarshalUpload(graphql.Upload) graphql.Marshaler { return graphql.Null }

// UnmarshalUpload takes the file a multipart request put in a variable; anything else (a
// string, an object given in JSON) is the client's error.
func UnmarshalUpload(v any) (graphql.Upload, error) {
	u, ok := v.(graphql.Upload)
	if !ok || u.File == nil {
		return graphql.Upload{}, apperr.New(apperr.BadUserInput,
			"an Upload is a file sent as a part of a multipart request (GraphQL multipart request spec)")
	}
	return u, nil
}
