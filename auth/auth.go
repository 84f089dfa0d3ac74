// Package auth carries who is acting in a request, and the place scope they may see.
// Middleware verifies the bearer token (JWT, see token.go); the token's subject is the acting
// person, its role what they may do (policy.go), and its scope, narrowed by the role, the rows
// every store query may touch.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"gridgov/apperr"
)

// Actor is the person acting in a request and the role they act in.
type Actor struct {
	PersonID int64
	Role     string
}

// Scope is the part of the place tree a request may see. The zero Scope is the whole city.
// Every store query applies it in SQL; the authenticator sets it from the token.
type Scope struct {
	StreetID    int64
	CommunityID int64
	GridID      int64
	UnitID      int64 // a unit admin's unit: members of that unit, wherever they live
	// Self narrows person-owned rows to one person's: a resident's own reports and orders, a
	// party member's own record, check-in, ledger and ratings. Tables without a notion of
	// owner are hidden from such a scope (store/scope.go).
	Self int64
	// DemandList lets a party member see their grid's published orders besides their own.
	DemandList bool
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
	if a == nil || a.PersonID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "this operation needs a token acting for a person")
	}
	return a, nil
}

// Narrow gives the scope a role works in, from the place its token names: residents and
// party members are narrowed to their own rows (party members also see their grid's demand
// list); every other role sees the place and what lies below it.
func Narrow(role string, person int64, place Scope) Scope {
	switch role {
	case "resident":
		place.Self = person
	case "party_member":
		place.Self, place.DemandList = person, true
	}
	return place
}

// personless roles need no subject: a unit admin acts for a unit, a statistician reads the
// warehouse. Every other role acts for a person, recorded in histories and the audit log.
func personless(role string) bool { return role == "unit_admin" || role == "statistician" }

// Authenticator verifies bearer tokens and puts each request's actor and scope in its context.
type Authenticator struct {
	// Tokens verifies a token and gives its claims: Keys, or a TokenCache in front of them.
	Tokens Verifier
	// Complete fills in the ancestors of a place scope (a grid's community and street), so a
	// grid scope also keeps the community and street it lies in; an unknown place is an error.
	Complete func(ctx context.Context, s Scope) (Scope, error)
	// Deny writes the refusal: UNAUTHENTICATED, or UNAVAILABLE for ErrUnavailable (the server
	// adds the request id and counts it).
	Deny func(w http.ResponseWriter, r *http.Request, err error)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Verifier checks a token at an instant and gives its claims (Keys, TokenCache).
type Verifier interface {
	Verify(token string, now time.Time) (Claims, error)
}

// ErrNoToken is returned by Authenticate for a request without a bearer token.
var ErrNoToken = errors.New("this endpoint needs a bearer token (Authorization: Bearer <token>)")

// ErrUnavailable is returned by Authenticate when the token could not be checked against the
// database because it does not answer: the client should retry, not sign in again.
var ErrUnavailable = errors.New("the database is unavailable for a moment; nothing was done, try again")

// Authenticate verifies the request's bearer token and gives the actor and scope it carries.
func (a Authenticator) Authenticate(r *http.Request) (*Actor, Scope, error) {
	raw := r.Header.Get("Authorization")
	if raw == "" {
		return nil, Scope{}, ErrNoToken
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(raw), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, Scope{}, errors.New("the Authorization header must be: Bearer <token>")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	c, err := a.Tokens.Verify(strings.TrimSpace(token), now())
	if err != nil {
		return nil, Scope{}, errors.New("the token is invalid or expired")
	}
	person := c.SubjectID()
	if person == 0 && (c.Subject != "" || !personless(c.Role)) {
		return nil, Scope{}, fmt.Errorf("a %s token needs a person id as subject", c.Role)
	}
	place, err := ParseScope(c.Scope)
	if err != nil {
		return nil, Scope{}, errors.New("the token's scope is invalid")
	}
	if a.Complete != nil && place.UnitID == 0 && !place.City() {
		if place, err = a.Complete(r.Context(), place); err != nil {
			if apperr.CodeOf(err) == apperr.Unavailable {
				return nil, Scope{}, ErrUnavailable
			}
			return nil, Scope{}, errors.New("the token's scope names no place")
		}
	}
	return &Actor{PersonID: person, Role: c.Role}, Narrow(c.Role, person, place), nil
}

// Middleware refuses a request without a valid bearer token with 401 UNAUTHENTICATED, and
// puts the token's actor and scope in the context of every other request.
func (a Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, sc, err := a.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gridgov"`)
			if a.Deny != nil {
				a.Deny(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"message":"unauthenticated","extensions":{"code":"UNAUTHENTICATED"}}]}`)) //nolint:errcheck
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), actor, sc)))
	})
}
