// Package auth carries who is acting in a request, and the place scope they may see.
//
// TODO(issue 4): the actor is taken on trust from the X-Gridgov-Actor and X-Gridgov-Role
// headers. Issue 4 replaces this with verified bearer tokens (JWT) that carry a role and a
// scope; Middleware is the one place that changes, and Scope then narrows from the token.
package auth

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"gridgov/apperr"
)

// Header names read by Middleware until tokens arrive.
const (
	ActorHeader = "X-Gridgov-Actor"
	RoleHeader  = "X-Gridgov-Role"
)

// Actor is the person acting in a request and the role they act in.
type Actor struct {
	PersonID int64
	Role     string
}

// Scope is the part of the place tree a request may see. The zero Scope is the whole city.
// Every store query applies it in SQL; issue 4 sets it from the token.
type Scope struct {
	StreetID    int64
	CommunityID int64
	GridID      int64
	UnitID      int64 // a unit admin's unit: members of that unit, wherever they live
}

type ctxKey struct{}

type state struct {
	actor *Actor
	scope Scope
}

// With returns ctx carrying actor (nil for anonymous) and scope.
func With(ctx context.Context, actor *Actor, scope Scope) context.Context {
	return context.WithValue(ctx, ctxKey{}, state{actor: actor, scope: scope})
}

// ActorFrom gives the acting person, or nil for an anonymous request.
func ActorFrom(ctx context.Context) *Actor {
	s, _ := ctx.Value(ctxKey{}).(state)
	return s.actor
}

// ScopeFrom gives the scope of the request.
func ScopeFrom(ctx context.Context) Scope {
	s, _ := ctx.Value(ctxKey{}).(state)
	return s.scope
}

// Require gives the acting person, or UNAUTHENTICATED: every mutation needs someone to
// record in the history.
func Require(ctx context.Context) (*Actor, error) {
	a := ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "this operation needs an acting person (%s header)", ActorHeader)
	}
	return a, nil
}

// Middleware reads the actor from the request headers. A malformed header is refused with
// 401 rather than treated as anonymous, so a client bug is not silently downgraded.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var actor *Actor
		if raw := strings.TrimSpace(r.Header.Get(ActorHeader)); raw != "" {
			id, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || id <= 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"errors":[{"message":"malformed ` + ActorHeader + ` header","extensions":{"code":"UNAUTHENTICATED"}}]}`)) //nolint:errcheck
				return
			}
			role := strings.TrimSpace(r.Header.Get(RoleHeader))
			if role == "" {
				role = "city_admin"
			}
			actor = &Actor{PersonID: id, Role: role}
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), actor, Scope{})))
	})
}
