package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/evidence"
	"gridgov/graph"
	"gridgov/loaders"
	"gridgov/observe"
	"gridgov/realtime"
	"gridgov/resolvers"
	"gridgov/store"
	"gridgov/webhook"
)

// Limits bound what one GraphQL request may cost; config documents each (GRIDGOV_MAX_*,
// GRIDGOV_REQUEST_TIMEOUT, GRIDGOV_RATE_*, GRIDGOV_APQ_CACHE).
type Limits struct {
	MaxBodyBytes  int64
	MaxDepth      int
	MaxComplexity int
	// MaxTokens and MaxFields bound a document before it is validated; zero takes the
	// default.
	MaxTokens int
	MaxFields int
	Timeout   time.Duration
	RateLimit float64 // requests per second per token; 0: no limit
	RateBurst int
	APQCache  int
	// MaxFileBytes and MaxFiles bound the files of a multipart request (evidence uploads);
	// zero takes the default.
	MaxFileBytes int64
	MaxFiles     int
}

// DefaultLimits are config's defaults.
func DefaultLimits() Limits {
	return Limits{MaxBodyBytes: DefaultMaxBodyBytes, MaxDepth: 12, MaxComplexity: 50000, MaxTokens: DefaultMaxTokens, MaxFields: DefaultMaxFields,
		Timeout: 10 * time.Second, RateLimit: 20, RateBurst: 40, APQCache: 1000, MaxFileBytes: DefaultMaxFileBytes, MaxFiles: DefaultMaxFiles}
}

// The defaults of the request limits. The largest operations the console and the tests
// send hold about 400 tokens and 140 nodes (documentLimits); the largest mutation a few
// texts of up to 2,000 characters. Decoding a JSON body takes about 10 ns a byte (60 for a
// body of many small values), parsing about 0.6 µs a token, and validation grows with the
// square of a document's nodes: the worst request within these limits costs a few
// milliseconds (BenchmarkWorstRequest).
const (
	DefaultMaxBodyBytes = 64 << 10
	DefaultMaxTokens    = 2000
	DefaultMaxFields    = 200
	// A phone's photo is 2–8 MB; a request attaches a few.
	DefaultMaxFileBytes = 10 << 20
	DefaultMaxFiles     = 5
)

// withDefaults fills the limits left zero that have a default of their own.
func (l Limits) withDefaults() Limits {
	if l == (Limits{}) {
		return DefaultLimits()
	}
	if l.MaxTokens == 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	if l.MaxFields == 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxFileBytes == 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxFiles == 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// Options configure the GraphQL endpoint.
type Options struct {
	Store   *store.Store
	Log     *slog.Logger
	Metrics *observe.GraphQL
	// Keys verify bearer tokens.
	Keys auth.Keys
	// Indicators are read from the warehouse; nil leaves them WAREHOUSE_UNAVAILABLE.
	Indicators resolvers.IndicatorReader
	// Dev turns introspection on; production refuses it.
	Dev    bool
	Limits Limits
	// AllowList, when set, is allow-list mode: only its operations run (and APQ is off).
	AllowList *AllowList
	// Now is the clock of token verification and rate limits; time.Now when nil.
	Now func() time.Time
	// GqlgenOnly turns the API's executor off (resolvers.Execute): every field runs on gqlgen's
	// executor, the reference. Tests compare the two; benchmarks measure both.
	GqlgenOnly bool
	// Evidence keeps the bytes of attached evidence; nil: attachEvidence is UNAVAILABLE.
	Evidence evidence.Blobs
	// EvidenceMetrics counts the files received; a registry of its own when nil.
	EvidenceMetrics *observe.Evidence
	// Realtime serves subscriptions over WebSocket (realtime.go); nil: none.
	Realtime *realtime.Hub
	// Origins may open a WebSocket from a browser (the CORS origins); others are refused.
	Origins []string
	// WebhookGuard checks the addresses of webhook endpoints when they are registered.
	WebhookGuard webhook.Guard
}

// maxCachedQuery is the longest query text the APQ cache keeps (bytes): a console's queries
// are a few kilobytes; a longer one is sent in full each time.
const maxCachedQuery = 32 << 10

// tokenCacheSize bounds the verified-token cache (entries; one per client session in use).
const tokenCacheSize = 10_000

// GraphQL builds the /graphql handler. In order, a request passes: the protocol guard
// (method, content type, declared length), authentication (bearer token: 401
// UNAUTHENTICATED), the per-token rate limit (429 RATE_LIMITED), the body limit (413
// BODY_LIMIT; a multipart request's files within limits of their own, multipart.go) and
// batch refusal (400 BATCH_LIMIT), the request timeout, the request's cache
// of what it reads (loaders), and gqlgen's handler with persisted queries (APQ or the
// allow-list) and the document limits (tokens and fields, before validation), the depth and
// cost limits and the text limits (after validation, before anything runs), the policy check
// of every root field (auth.Policy), and then the API's executor (resolvers.Execute), which
// hands a root field to gqlgen's executor only to report its errors.
func GraphQL(o Options) http.Handler {
	o.Limits = o.Limits.withDefaults()
	s, log, m := o.Store, o.Log, o.Metrics
	root := resolvers.New(s)
	root.Warehouse = o.Indicators
	root.Files = o.Evidence
	root.Uploads.MaxBytes = o.Limits.MaxFileBytes
	root.Realtime = o.Realtime
	root.WebhookGuard = o.WebhookGuard
	if o.EvidenceMetrics == nil {
		o.EvidenceMetrics = observe.NewEvidence(prometheus.NewRegistry())
	}
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: root})
	srv := handler.New(schema)
	authn := authenticator(s, o.Keys, o.Now, m)
	if o.Realtime != nil {
		addWebsocket(srv, o.Realtime, authn, o.Keys, o.Now, o.Origins)
	}
	srv.AddTransport(transport.GET{})
	srv.AddTransport(post{})
	srv.AddTransport(multipartTransport{})
	// Parsed and validated documents, by query text: a console sends the same few queries.
	validated := newTextCache[*ast.QueryDocument](docCacheBytes)
	srv.SetQueryCache(validated)
	// A backstop: documentLimits has refused a longer document before gqlgen parses it.
	srv.SetParserTokenLimit(o.Limits.MaxTokens)
	srv.SetValidationRulesFn(cappedRules)
	// Suggestions ("did you mean") compare an unknown name with every known one.
	srv.SetDisableSuggestion(!o.Dev)
	if o.Dev {
		srv.Use(extension.Introspection{})
	}
	docLimits := documentLimits{maxTokens: o.Limits.MaxTokens, maxFields: o.Limits.MaxFields, validated: validated, m: m}
	if o.AllowList != nil {
		srv.Use(allowListExt{list: o.AllowList, m: m})
		srv.Use(docLimits)
	} else {
		// Limits first: the APQ cache only ever holds documents that passed them.
		srv.Use(docLimits)
		srv.Use(extension.AutomaticPersistedQuery{Cache: shortValues{lru.New[string](o.Limits.APQCache)}})
	}
	srv.Use(costLimits{maxDepth: o.Limits.MaxDepth, maxCost: o.Limits.MaxComplexity, introspection: o.Dev, m: m})
	srv.Use(inputLimits{schema: schema.Schema(), m: m})
	srv.Use(operationMetrics{m: m, log: log})
	srv.AroundResponses(personalReads(s, log))
	srv.AroundResponses(eventCache(s, m))
	srv.AroundRootFields(recoverRootField) // first, so outermost: see recoverRootField
	srv.AroundRootFields(policy)
	srv.AroundFields(root.Fields)
	if !o.GqlgenOnly {
		srv.AroundRootFields(root.Execute)
	}
	srv.SetErrorPresenter(presenter(log, m))
	srv.SetRecoverFunc(recoverFunc(log))
	limiter := newRateLimiter(o.Limits.RateLimit, o.Limits.RateBurst)
	if o.Now != nil {
		limiter.now = o.Now
	}
	var h http.Handler = srv
	h = loaders.Middleware(s, m.ReadBatch, h)
	h = withGraphQLMetrics(h, m)
	h = timeout(h, o.Limits.Timeout, m)
	h = body(h, o.Limits, m, o.EvidenceMetrics)
	h = rate(h, limiter, m)
	h = authn.Middleware(h)
	h = protocol(h, o.Limits, m)
	if o.Realtime == nil {
		return h
	}
	ws := websocketRoute(withGraphQLMetrics(srv, m))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocket(r) {
			ws.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authenticator verifies bearer tokens for the GraphQL endpoint and evidence downloads: 401
// UNAUTHENTICATED for a missing or bad token, 503 UNAVAILABLE when its scope cannot be read.
func authenticator(s *store.Store, keys auth.Keys, now func() time.Time, m *observe.GraphQL) auth.Authenticator {
	return auth.Authenticator{Tokens: auth.NewTokenCache(keys, tokenCacheSize), Complete: s.CompleteScope, Now: now,
		Deny: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, auth.ErrUnavailable) {
				w.Header().Set("Retry-After", "1")
				writeGraphQLError(w, r, m, http.StatusServiceUnavailable, apperr.Unavailable, err.Error())
				return
			}
			writeGraphQLError(w, r, m, http.StatusUnauthorized, apperr.Unauthenticated, err.Error())
		}}
}

// shortValues is the APQ cache (hash to query text): it keeps no query text longer than
// maxCachedQuery; the client sends such a query in full again.
type shortValues struct{ graphql.Cache[string] }

func (c shortValues) Add(ctx context.Context, hash, query string) {
	if len(query) <= maxCachedQuery {
		c.Cache.Add(ctx, hash, query)
	}
}

// policy enforces auth.Policy on every root field, and marks mutations for the audit log.
func policy(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	// The root object is the operation's type (gqlgen puts the field name in fc.Object).
	object := "Query"
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
		object = "Mutation"
	}
	if !auth.AllowedCtx(ctx, object, fc.Field.Name) {
		role := "anonymous"
		if a := auth.ActorFrom(ctx); a != nil {
			role = a.Role
		}
		graphql.AddError(ctx, apperr.New(apperr.Forbidden, "the role %s may not use %s", role, fc.Field.Name))
		return graphql.Null
	}
	if object == "Mutation" {
		ctx = store.WithAudit(ctx, store.AuditOp{Mutation: fc.Field.Name, RequestID: observe.RequestID(ctx)})
	}
	return next(ctx)
}

// personalReads logs the personal data a response shows: the resolvers note every unmasked
// phone, ID number and address of a person other than the caller as they answer, and once
// the response is ready the notes go to the store in one statement. A response whose reads
// could not be logged is not sent: an unlogged read of personal data does not happen.
func personalReads(s *store.Store, log *slog.Logger) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		ctx, reads := store.WithReadLog(ctx)
		resp := next(ctx)
		if err := s.FlushReads(ctx, reads, observe.RequestID(ctx)); err != nil {
			log.Error("personal data reads not logged", "request_id", observe.RequestID(ctx), "err", err.Error())
			ext := map[string]any{"code": string(apperr.Unavailable)}
			if id := observe.RequestID(ctx); id != "" {
				ext["requestId"] = id
			}
			return &graphql.Response{Errors: gqlerror.List{{Message: "the answer could not be recorded in the log of personal data reads; try again",
				Extensions: ext}}}
		}
		return resp
	}
}

// writeGraphQLError answers with one GraphQL error carrying code and the request id.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, m *observe.GraphQL, status int, code apperr.Code, msg string) {
	m.Error(string(code))
	ext := map[string]any{"code": string(code)}
	if id := observe.RequestID(r.Context()); id != "" {
		ext["requestId"] = id
	}
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": ext}}})
}

// rate refuses a token's request beyond its rate with 429 RATE_LIMITED and Retry-After.
func rate(next http.Handler, l *rateLimiter, m *observe.GraphQL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := auth.ActorFrom(r.Context()); a != nil {
			if ok, wait := l.allow(rateKey(a.Role, a.PersonID, fmt.Sprint(auth.ScopeFrom(r.Context())))); !ok {
				m.Refused("rate")
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				writeGraphQLError(w, r, m, http.StatusTooManyRequests, apperr.RateLimited, "too many requests for this token; retry later")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// body reads a POST body up to the limit (413 BODY_LIMIT beyond, also for a chunked body
// that declared no length) and refuses batches (a JSON array) with 400 BATCH_LIMIT: one
// operation per request, so each is authorised, limited and counted on its own. A multipart
// body (files) is read within its own limits (readUpload).
func body(next http.Handler, l Limits, m *observe.GraphQL, ev *observe.Evidence) http.Handler {
	limit := l.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if isMultipart(r) {
			readUpload(w, r, next, l, m, ev)
			return
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			m.Refused("body")
			writeGraphQLError(w, r, m, http.StatusRequestEntityTooLarge, apperr.BodyLimit, fmt.Sprintf("a request body may hold at most %d bytes", limit))
			return
		case err != nil:
			writeGraphQLError(w, r, m, http.StatusBadRequest, apperr.BadUserInput, "the request body could not be read")
			return
		}
		if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
			m.Refused("batch")
			writeGraphQLError(w, r, m, http.StatusBadRequest, apperr.BatchLimit, "batched requests are not accepted: send one operation per request")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}

// timeout bounds a request; its context reaches pgx, so the database queries are cancelled
// with it, and the errors they return are reported as TIMEOUT. The answer is held until the
// handler returns: a request whose deadline passed before gqlgen could answer at all (it
// then answers nothing) gets a TIMEOUT error instead of an empty body.
func timeout(next http.Handler, d time.Duration, m *observe.GraphQL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		rec := heldPool.Get().(*held)
		rec.header, rec.status = w.Header(), http.StatusOK
		defer rec.release()
		next.ServeHTTP(rec, r.WithContext(ctx))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			m.Refused("timeout")
			if !bytes.Contains(rec.body.Bytes(), []byte(`"errors"`)) {
				writeGraphQLError(w, r, m, http.StatusOK, apperr.Timeout, "the request took too long and was stopped")
				return
			}
		}
		// The whole answer is known: with its length net/http sends it unchunked, in two
		// socket writes (the headers with the body's start, then the rest) instead of three
		// (TestAnswersCarryTheirLength).
		w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes()) //nolint:errcheck
	})
}

// held is a ResponseWriter that keeps the answer until the handler has returned.
type held struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// heldPool recycles the buffers of held answers (a console page is ~25 KB of JSON).
var heldPool = sync.Pool{New: func() any { return new(held) }}

// release returns h to the pool once its answer is written; a very large buffer is dropped
// rather than kept.
func (h *held) release() {
	h.header = nil
	if h.body.Cap() > 1<<20 {
		return
	}
	h.body.Reset()
	heldPool.Put(h)
}

func (h *held) Header() http.Header         { return h.header }
func (h *held) WriteHeader(status int)      { h.status = status }
func (h *held) Write(b []byte) (int, error) { return h.body.Write(b) }

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
		level := slog.LevelInfo
		if typ == "subscription" {
			level = slog.LevelDebug // one line per event and subscriber: too many to keep
		}
		o.log.LogAttrs(ctx, level, "graphql", slog.String("request_id", observe.RequestID(ctx)),
			slog.String("operation", oc.OperationName), slog.String("type", typ), slog.String("role", role),
			slog.Duration("duration", elapsed), slog.Int("errors", errs))
	}
	return resp
}

// protocol enforces GraphQL over HTTP where gqlgen's transports would answer without an
// error code: POST must carry JSON, or files in a multipart body; GET may only run queries
// (405 for a mutation); a body declared larger than its limit is refused before it is read.
func protocol(next http.Handler, l Limits, m *observe.GraphQL) http.Handler {
	limit := l.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mt == "multipart/form-data" {
				if r.ContentLength > l.uploadBody() {
					m.Refused("body")
					writeGraphQLError(w, r, m, http.StatusRequestEntityTooLarge, apperr.BodyLimit,
						fmt.Sprintf("a multipart request body may hold at most %d bytes", l.uploadBody()))
					return
				}
				break
			}
			if mt != "application/json" {
				writeGraphQLError(w, r, m, http.StatusUnsupportedMediaType, apperr.BadUserInput,
					"POST a JSON body with Content-Type: application/json, or files with multipart/form-data")
				return
			}
			if r.ContentLength > limit {
				m.Refused("body")
				writeGraphQLError(w, r, m, http.StatusRequestEntityTooLarge, apperr.BodyLimit, fmt.Sprintf("a request body may hold at most %d bytes", limit))
				return
			}
		case http.MethodGet:
			q := r.URL.Query()
			if isMutation(q.Get("query"), q.Get("operationName"), l.MaxTokens) {
				w.Header().Set("Allow", "POST")
				writeGraphQLError(w, r, m, http.StatusMethodNotAllowed, apperr.BadUserInput, "mutations must be sent with POST")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeGraphQLError(w, r, m, http.StatusMethodNotAllowed, apperr.BadUserInput, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isMutation reports whether the operation a GET would run is a mutation. A query that does
// not parse (or is longer than maxTokens) is left to the executor, which reports it properly.
func isMutation(query, name string, maxTokens int) bool {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, maxTokens)
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
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &gqlerror.Error{Message: "the request took too long and was stopped", Path: gqlErr.Path,
			Extensions: map[string]any{"code": string(apperr.Timeout)}}
	}
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
		if c, _ := ge.Extensions["code"].(string); c == "PERSISTED_QUERY_NOT_FOUND" {
			return gqlErr // the client sends the full query next (automatic persisted queries)
		}
		if strings.HasPrefix(ge.Message, "json request body") || strings.HasPrefix(ge.Message, "could not get json request body") ||
			strings.Contains(ge.Message, "APQ") {
			gqlErr.Extensions = map[string]any{"code": string(apperr.BadUserInput)}
			return gqlErr
		}
	}
	if store.Unavailable(err) {
		log.Warn("database unavailable", "request_id", observe.RequestID(ctx), "err", err.Error())
		return &gqlerror.Error{Message: "the database is unavailable for a moment; nothing was written, try again",
			Path: gqlErr.Path, Extensions: map[string]any{"code": string(apperr.Unavailable)}}
	}
	log.Error("internal error", "request_id", observe.RequestID(ctx), "path", gqlErr.Path.String(), "err", err.Error())
	return &gqlerror.Error{Message: "internal error", Path: gqlErr.Path, Extensions: map[string]any{"code": string(apperr.Internal)}}
}

// withGraphQLMetrics lets code deep in a request (the executor) record into m.
func withGraphQLMetrics(next http.Handler, m *observe.GraphQL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(observe.WithGraphQL(r.Context(), m)))
	})
}

// recoverFunc makes a panic while a request is resolved the request's INTERNAL error, and logs
// it with the stack it was raised on (a recover func runs on the panicking goroutine).
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.Error("panic", "request_id", observe.RequestID(ctx), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return apperr.Wrap(fmt.Errorf("panic: %v", v), apperr.Internal, "internal error")
	}
}

// recoverRootField recovers a panic in the root-field middleware (the policy check, the API's
// executor), which gqlgen runs outside its own recover, on a goroutine of its own when the
// operation has several root fields: the root field is null with an INTERNAL error.
func recoverRootField(ctx context.Context, next graphql.RootResolver) (res graphql.Marshaler) {
	defer func() {
		if v := recover(); v != nil {
			graphql.AddError(ctx, graphql.GetOperationContext(ctx).Recover(ctx, v))
			res = graphql.Null
		}
	}()
	return next(ctx)
}
