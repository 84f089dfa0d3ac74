package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// post is gqlgen's POST transport (GraphQL over HTTP: a JSON body, the response type chosen
// by Accept, 400/422 for a request that cannot run) with one difference: an answer without
// errors or extensions is written as {"data":…} straight from the executor's bytes.
// gqlgen writes every answer through encoding/json, which scans and re-escapes the finished
// data once more — for a 40 kB console page, about a tenth of the API's CPU. Anything else
// is marshalled as gqlgen does.
type post struct{ transport.POST }

func (post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %v", err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	run(w, r, exec, &params, contentType)
}

// run runs the operation of a request read (a JSON body, or a multipart one) and writes its
// answer.
func run(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, contentType string) {
	ctx := r.Context()
	rc, opErrs := exec.CreateOperationContext(ctx, params)
	if opErrs != nil {
		w.WriteHeader(statusFor(contentType, opErrs))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErrs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil { // the request ended first: a hang-up, or a deadline that timeout answers
		return
	}
	writeResponse(w, resp)
}

// writeResponse writes {"data":…} for a plain answer, and any other through encoding/json.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && resp.Path == nil && resp.HasNext == nil {
		data := resp.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		w.Write([]byte(`{"data":`)) //nolint:errcheck
		w.Write(data)               //nolint:errcheck
		w.Write([]byte("}"))        //nolint:errcheck
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{{Message: "internal error",
			Extensions: map[string]any{"code": "INTERNAL"}}}})
	}
	w.Write(b) //nolint:errcheck
}

// responseType picks the answer's media type from Accept as gqlgen's POST does:
// application/json unless only application/graphql-response+json (or nothing known) is
// accepted.
func responseType(accept string) string {
	const plain, gql = "application/json", "application/graphql-response+json"
	if accept == "" {
		return plain
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", plain:
			return plain
		case gql:
			return gql
		}
	}
	return gql
}

// statusFor is the status of a request that could not run: a protocol error is 422 for
// application/json and 400 for application/graphql-response+json; other errors 200.
func statusFor(contentType string, errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == "application/json" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}
