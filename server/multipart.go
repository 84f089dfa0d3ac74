package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gridgov/apperr"
	"gridgov/observe"
)

// Files travel in GraphQL multipart requests (github.com/jaydenseric/graphql-multipart-request-spec):
// a multipart/form-data body whose parts are `operations` (the JSON request, its files'
// variables null), `map` (which variables each later part fills) and the files. The body
// middleware reads such a request whole before the request's timeout starts, like a JSON
// body: the operation and the map within the JSON body limit, each file within
// MaxFileBytes, at most MaxFiles of them, spooled to temporary files removed when the request
// ends. The request then runs as any other, with each file an Upload in its variable;
// multipartTransport hands it to gqlgen. A request that breaks a limit is refused, with
// BODY_LIMIT (413) or BATCH_LIMIT (400), and a malformed one with BAD_USER_INPUT (400),
// before anything runs.

// uploadBody is the largest multipart body: its files, the operation and the map, and room for
// the parts' headers.
func (l Limits) uploadBody() int64 {
	return int64(l.MaxFiles)*l.MaxFileBytes + 2*l.MaxBodyBytes + 64<<10
}

// isMultipart reports whether r carries a multipart/form-data body.
func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// uploadsKey carries the operation a multipart request holds, its files in place.
type uploadsKey struct{}

// upload is a multipart request read: its operation, and the temporary files holding its
// files.
type upload struct {
	params graphql.RawParams
	files  []*os.File
}

// remove closes and removes the request's temporary files.
func (u *upload) remove() {
	for _, f := range u.files {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
}

// refused is why a multipart request is not run: its status, code and message.
type refused struct {
	status int
	code   apperr.Code
	limit  string // the refusal's metric, "" when no limit was broken
	msg    string
}

func malformed(format string, args ...any) *refused {
	return &refused{status: http.StatusBadRequest, code: apperr.BadUserInput, msg: fmt.Sprintf(format, args...)}
}

func tooLarge(limit, format string, args ...any) *refused {
	return &refused{status: http.StatusRequestEntityTooLarge, code: apperr.BodyLimit, limit: limit, msg: fmt.Sprintf(format, args...)}
}

// readUpload reads a multipart request: it runs next with the operation in its context, or
// refuses it. Its temporary files are removed once next returns.
func readUpload(w http.ResponseWriter, r *http.Request, next http.Handler, l Limits, m *observe.GraphQL, ev *observe.Evidence) {
	r.Body = http.MaxBytesReader(w, r.Body, l.uploadBody())
	u := &upload{}
	defer u.remove()
	if no := u.read(r, l, ev); no != nil {
		if no.limit != "" {
			m.Refused(no.limit)
		}
		writeGraphQLError(w, r, m, no.status, no.code, no.msg)
		return
	}
	next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), uploadsKey{}, &u.params)))
}

// read reads the parts of r in the order the spec gives them.
func (u *upload) read(r *http.Request, l Limits, ev *observe.Evidence) *refused {
	mr, err := r.MultipartReader()
	if err != nil {
		return malformed("the body is not multipart/form-data with a boundary")
	}
	ops, no := jsonPart(mr, "operations", l)
	if no != nil {
		return no
	}
	if t := bytes.TrimLeft(ops, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return &refused{status: http.StatusBadRequest, code: apperr.BatchLimit, limit: "batch",
			msg: "batched requests are not accepted: send one operation per request"}
	}
	dec := json.NewDecoder(bytes.NewReader(ops))
	dec.UseNumber()
	if err := dec.Decode(&u.params); err != nil {
		return malformed("the operations part is not a JSON request")
	}
	raw, no := jsonPart(mr, "map", l)
	if no != nil {
		return no
	}
	var paths map[string][]string
	if err := json.Unmarshal(raw, &paths); err != nil {
		return malformed(`the map part is not a JSON object of paths, such as {"0": ["variables.input.file"]}`)
	}
	if len(paths) > l.MaxFiles {
		return tooLarge("files", "a request may carry at most %d files", l.MaxFiles)
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err, l)
		}
		key := p.FormName()
		if len(paths[key]) == 0 {
			return malformed("the part %q is not named by the map", key)
		}
		if no := u.file(p, key, paths[key], l, ev); no != nil {
			return no
		}
		delete(paths, key)
	}
	if len(paths) > 0 {
		return malformed("the map names the parts %q, which the request does not carry", slices.Sorted(maps.Keys(paths)))
	}
	u.params.Headers = r.Header
	return nil
}

// jsonPart reads the next part, which must be the one named name, within the JSON body limit.
func jsonPart(mr *multipart.Reader, name string, l Limits) ([]byte, *refused) {
	p, err := mr.NextPart()
	if err != nil {
		return nil, bodyError(err, l)
	}
	if p.FormName() != name {
		return nil, malformed("the parts of a multipart request are operations, map, then the files: %s is missing", name)
	}
	b, err := io.ReadAll(io.LimitReader(p, l.MaxBodyBytes+1))
	if err != nil {
		return nil, bodyError(err, l)
	}
	if int64(len(b)) > l.MaxBodyBytes {
		return nil, tooLarge("body", "the %s part may hold at most %d bytes", name, l.MaxBodyBytes)
	}
	return b, nil
}

// file spools the part key to a temporary file within the file limit, and puts it in the
// variables its paths name, each with a reader of its own.
func (u *upload) file(p *multipart.Part, key string, paths []string, l Limits, ev *observe.Evidence) *refused {
	f, err := os.CreateTemp("", "gridgov-upload-*")
	if err != nil {
		return &refused{status: http.StatusInternalServerError, code: apperr.Internal, msg: "internal error"}
	}
	u.files = append(u.files, f)
	n, err := io.Copy(f, io.LimitReader(p, l.MaxFileBytes+1))
	if err != nil {
		return bodyError(err, l)
	}
	if n > l.MaxFileBytes {
		return tooLarge("body", "a file may hold at most %d bytes", l.MaxFileBytes)
	}
	ev.Received(n)
	for _, path := range paths {
		rf, err := os.Open(f.Name())
		if err != nil {
			return &refused{status: http.StatusInternalServerError, code: apperr.Internal, msg: "internal error"}
		}
		u.files = append(u.files, rf)
		// The part's name and type travel along but are never trusted: the type is read from
		// the bytes.
		up := graphql.Upload{File: rf, Filename: p.FileName(), Size: n, ContentType: p.Header.Get("Content-Type")}
		if !placeUpload(u.params.Variables, path, up) {
			return malformed("the map's path %q of part %q names no variable of the operation", path, key)
		}
	}
	return nil
}

// placeUpload puts up at path ("variables.input.file", "variables.files.0") in vars, where the
// operation holds a value (null, as the spec has it) or an object lacks the field; it reports
// whether path names such a place. (gqlgen's RawParams.AddUpload panics on a path through a
// value of another shape, and the path is the client's.)
func placeUpload(vars map[string]any, path string, up graphql.Upload) bool {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" {
		return false
	}
	var at any = vars
	for i, name := range parts[1:] {
		last := i == len(parts)-2
		switch v := at.(type) {
		case map[string]any:
			if v == nil {
				return false
			}
			if last {
				v[name] = up
				return true
			}
			at = v[name]
		case []any:
			n, err := strconv.Atoi(name)
			if err != nil || n < 0 || n >= len(v) {
				return false
			}
			if last {
				v[n] = up
				return true
			}
			at = v[n]
		default:
			return false
		}
	}
	return false
}

// bodyError is the refusal of a body that could not be read: too large, or malformed.
func bodyError(err error, l Limits) *refused {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge("body", "a multipart request body may hold at most %d bytes", l.uploadBody())
	}
	return malformed("the multipart body could not be read")
}

// multipartTransport runs the operation of a multipart request that readUpload has read.
type multipartTransport struct{}

func (multipartTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && isMultipart(r) && r.Header.Get("Upgrade") == ""
}

func (multipartTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := responseType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	params, ok := r.Context().Value(uploadsKey{}).(*graphql.RawParams)
	if !ok { // never: the body middleware reads every multipart request
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.Errorf("the multipart request was not read")}))
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	run(w, r, exec, params, contentType)
}
