package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph"
	"gridgov/observe"
	"gridgov/resolvers"
	"gridgov/store"
)

// maxBody bounds a GraphQL request body; issue 4 makes it configurable.
const maxBody = 1 << 20

// GraphQL builds the /graphql handler: gqlgen's executor with POST (JSON) and GET (queries
// only) transports, no websocket, the error presenter and recover func, and per request the
// actor (auth) and the loaders.
func GraphQL(s *store.Store, log *slog.Logger, m *observe.GraphQL) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(s)}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(operationMetrics{m: m, log: log})
	srv.SetErrorPresenter(presenter(log, m))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.Error("panic in resolver", "request_id", observe.RequestID(ctx), "panic", fmt.Sprint(v))
		return errors.New("panic")
	})
	var h http.Handler = srv
	h = resolvers.Middleware(s, h)
	h = auth.Middleware(h)
	return protocol(h, m)
}

// operationMetrics counts, times and logs each operation by name and type, with the role
// that ran it.
type operationMetrics struct {
	m   *observe.GraphQL
	log *slog.Logger
}

func (operationMetrics) ExtensionName() string                   { return "OperationMetrics" }
func (operationMetrics) Validate(graphql.ExecutableSchema) error { return nil }

func (o operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	began := time.Now()
	resp := next(ctx)
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		typ := "invalid"
		if oc.Operation != nil {
			typ = string(oc.Operation.Operation)
		}
		elapsed := time.Since(began)
		o.m.Operation(oc.OperationName, typ, elapsed)
		role := "anonymous"
		if a := auth.ActorFrom(ctx); a != nil {
			role = a.Role
		}
		errs := 0
		if resp != nil {
			errs = len(resp.Errors)
		}
		o.log.LogAttrs(ctx, slog.LevelInfo, "graphql", slog.String("request_id", observe.RequestID(ctx)),
			slog.String("operation", oc.OperationName), slog.String("type", typ), slog.String("role", role),
			slog.Duration("duration", elapsed), slog.Int("errors", errs))
	}
	return resp
}

// protocol enforces GraphQL over HTTP where gqlgen's transports would answer without an
// error code: POST must carry JSON; GET may only run queries (405 for a mutation).
func protocol(next http.Handler, m *observe.GraphQL) http.Handler {
	writeGraphQLError := func(w http.ResponseWriter, status int, code apperr.Code, msg string) {
		m.Error(string(code))
		writeJSON(w, status, map[string]any{"errors": []map[string]any{{
			"message": msg, "extensions": map[string]any{"code": string(code)},
		}}})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mt != "application/json" {
				writeGraphQLError(w, http.StatusUnsupportedMediaType, apperr.BadUserInput, "POST a JSON body with Content-Type: application/json")
				return
			}
			if r.ContentLength > maxBody {
				m.Refused("body")
				writeGraphQLError(w, http.StatusRequestEntityTooLarge, apperr.BadUserInput, fmt.Sprintf("a request body may hold at most %d bytes", maxBody))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		case http.MethodGet:
			q := r.URL.Query()
			if isMutation(q.Get("query"), q.Get("operationName")) {
				w.Header().Set("Allow", "POST")
				writeGraphQLError(w, http.StatusMethodNotAllowed, apperr.BadUserInput, "mutations must be sent with POST")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeGraphQLError(w, http.StatusMethodNotAllowed, apperr.BadUserInput, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isMutation reports whether the operation a GET would run is a mutation. A query that does
// not parse is left to the executor, which reports it properly.
func isMutation(query, name string) bool {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if (name == "" || op.Name == name) && op.Operation != ast.Query {
			return true
		}
	}
	return false
}

// presenter maps every error to one with extensions.code and the request id, and counts it
// by code.
func presenter(log *slog.Logger, m *observe.GraphQL) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, log, err)
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		code, _ := e.Extensions["code"].(string)
		m.Error(code)
		if id := observe.RequestID(ctx); id != "" {
			e.Extensions["requestId"] = id
		}
		return e
	}
}

// present maps one error. Application errors keep their code, message and field; parse and
// validation errors are the client's (BAD_USER_INPUT); anything else is logged with the
// request id and shown only as INTERNAL "internal error".
func present(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		if cause := ae.Unwrap(); cause != nil {
			log.Debug("application error", "request_id", observe.RequestID(ctx), "code", ae.Code, "cause", cause.Error())
		}
		ext := map[string]any{"code": string(ae.Code)}
		if ae.Field != "" {
			ext["field"] = ae.Field
		}
		return &gqlerror.Error{Message: ae.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Extensions: ext}
	}
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Err == nil {
		if c, _ := ge.Extensions["code"].(string); c == errcode.ValidationFailed || c == errcode.ParseFailed {
			gqlErr.Extensions = map[string]any{"code": string(apperr.BadUserInput), "reason": c}
			return gqlErr
		}
		if strings.HasPrefix(ge.Message, "json request body") || strings.HasPrefix(ge.Message, "could not get json request body") {
			gqlErr.Extensions = map[string]any{"code": string(apperr.BadUserInput)}
			return gqlErr
		}
	}
	log.Error("internal error", "request_id", observe.RequestID(ctx), "path", gqlErr.Path.String(), "err", err.Error())
	return &gqlerror.Error{Message: "internal error", Path: gqlErr.Path, Extensions: map[string]any{"code": string(apperr.Internal)}}
}
