package resolvers

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"gridgov/auth"
	"gridgov/store"
)

// Loaders batch the child-field reads of one request: every loader collects the keys asked
// for at one depth of the query and reads them in one statement, so a request's statement
// count grows with the query's depth, not with its rows. They are built per request (the
// cache must not outlive it, and the scope is the caller's).
type Loaders struct {
	City            *dataloadgen.Loader[int64, *store.City]
	Street          *dataloadgen.Loader[int64, *store.Street]
	Community       *dataloadgen.Loader[int64, *store.Community]
	Grid            *dataloadgen.Loader[int64, *store.Grid]
	Building        *dataloadgen.Loader[int64, *store.Building]
	Person          *dataloadgen.Loader[int64, *store.Person]
	Unit            *dataloadgen.Loader[int64, *store.Unit]
	Member          *dataloadgen.Loader[int64, *store.PartyMember]
	MemberByPerson  *dataloadgen.Loader[int64, *store.PartyMember]
	Checkin         *dataloadgen.Loader[int64, *store.Checkin]
	LatestCheckin   *dataloadgen.Loader[int64, *store.Checkin]
	Issue           *dataloadgen.Loader[int64, *store.Issue]
	IssueCategory   *dataloadgen.Loader[int64, *store.IssueCategory]
	IssueEvents     *dataloadgen.Loader[store.EventsKey, []*store.IssueEvent]
	Mediators       *dataloadgen.Loader[int64, []*store.IssueMediator]
	Order           *dataloadgen.Loader[int64, *store.ServiceOrder]
	ServiceCategory *dataloadgen.Loader[int64, *store.ServiceCategory]
	OrderEvents     *dataloadgen.Loader[store.EventsKey, []*store.OrderEvent]
	Ledger          *dataloadgen.Loader[store.LedgerKey, []*store.ServiceRecord]
	ServiceTotals   *dataloadgen.Loader[store.TotalsKey, store.ServiceTotal]
	Ratings         *dataloadgen.Loader[int64, []*store.YearRating]
	Appointments    *dataloadgen.Loader[int64, []*store.BuildingAppointment]
}

// batchWait is how long a loader waits for more keys. gqlgen resolves the fields of one
// list concurrently, so the keys of a depth arrive within microseconds; a short wait keeps
// latency low without splitting batches.
const batchWait = 5 * time.Millisecond

// mapped adapts a map-returning fetch: a key without a row gives nil, not an error, so
// absent and out-of-scope rows look alike.
func mapped[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		m, err := fetch(ctx, keys)
		out := make([]V, len(keys))
		if err != nil {
			errs := make([]error, len(keys))
			for i := range errs {
				errs[i] = err
			}
			return out, errs
		}
		for i, k := range keys {
			out[i] = m[k]
		}
		return out, nil
	}
}

func loader[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *dataloadgen.Loader[K, V] {
	return dataloadgen.NewLoader(mapped(fetch), dataloadgen.WithWait(batchWait))
}

// NewLoaders builds the loaders of one request for the given scope.
func NewLoaders(s *store.Store, sc auth.Scope) *Loaders {
	withScope := func(f func(context.Context, auth.Scope, []int64) (map[int64]*store.PartyMember, error)) func(context.Context, []int64) (map[int64]*store.PartyMember, error) {
		return func(ctx context.Context, ids []int64) (map[int64]*store.PartyMember, error) { return f(ctx, sc, ids) }
	}
	return &Loaders{
		City: loader(func(ctx context.Context, ids []int64) (map[int64]*store.City, error) {
			return s.CitiesByID(ctx, sc, ids)
		}),
		Street: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Street, error) {
			return s.StreetsByID(ctx, sc, ids)
		}),
		Community: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Community, error) {
			return s.CommunitiesByID(ctx, sc, ids)
		}),
		Grid: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Grid, error) {
			return s.GridsByID(ctx, sc, ids)
		}),
		Building: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Building, error) {
			return s.BuildingsByID(ctx, sc, ids)
		}),
		Person: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Person, error) {
			return s.PeopleByID(ctx, sc, ids)
		}),
		Unit: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Unit, error) {
			return s.UnitsByID(ctx, sc, ids)
		}),
		Member:         loader(withScope(s.MembersByID)),
		MemberByPerson: loader(withScope(s.MembersByPerson)),
		Checkin: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Checkin, error) {
			return s.CheckinsByID(ctx, sc, ids)
		}),
		LatestCheckin: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Checkin, error) {
			return s.LatestCheckins(ctx, sc, ids)
		}),
		Issue: loader(func(ctx context.Context, ids []int64) (map[int64]*store.Issue, error) {
			return s.IssuesByID(ctx, sc, ids)
		}),
		IssueCategory: loader(func(ctx context.Context, ids []int64) (map[int64]*store.IssueCategory, error) {
			return s.IssueCategoriesByID(ctx, ids)
		}),
		IssueEvents: loader(func(ctx context.Context, keys []store.EventsKey) (map[store.EventsKey][]*store.IssueEvent, error) {
			return s.IssueEvents(ctx, sc, keys)
		}),
		Mediators: loader(func(ctx context.Context, ids []int64) (map[int64][]*store.IssueMediator, error) {
			return s.IssueMediators(ctx, sc, ids)
		}),
		Order: loader(func(ctx context.Context, ids []int64) (map[int64]*store.ServiceOrder, error) {
			return s.OrdersByID(ctx, sc, ids)
		}),
		ServiceCategory: loader(func(ctx context.Context, ids []int64) (map[int64]*store.ServiceCategory, error) {
			return s.ServiceCategoriesByID(ctx, ids)
		}),
		OrderEvents: loader(func(ctx context.Context, keys []store.EventsKey) (map[store.EventsKey][]*store.OrderEvent, error) {
			return s.OrderEvents(ctx, sc, keys)
		}),
		Ledger: loader(func(ctx context.Context, keys []store.LedgerKey) (map[store.LedgerKey][]*store.ServiceRecord, error) {
			return s.MemberLedgers(ctx, sc, keys)
		}),
		ServiceTotals: loader(func(ctx context.Context, keys []store.TotalsKey) (map[store.TotalsKey]store.ServiceTotal, error) {
			return s.ServiceTotals(ctx, sc, keys)
		}),
		Ratings: loader(func(ctx context.Context, ids []int64) (map[int64][]*store.YearRating, error) {
			return s.RatingsOf(ctx, sc, ids)
		}),
		Appointments: loader(func(ctx context.Context, ids []int64) (map[int64][]*store.BuildingAppointment, error) {
			return s.CurrentAppointments(ctx, sc, ids)
		}),
	}
}

type loadersKey struct{}

// Middleware puts fresh loaders, scoped to the request's caller, in each request's context.
// It must run after auth.Middleware.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := NewLoaders(s, auth.ScopeFrom(r.Context()))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, l)))
	})
}

// For gives the request's loaders.
func For(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// load reads one optional child through a loader; a nil id gives nil.
func load[V any](ctx context.Context, l *dataloadgen.Loader[int64, *V], id *int64) (*V, error) {
	if id == nil {
		return nil, nil
	}
	return l.Load(ctx, *id)
}

// must reads one required child; a missing row (deleted, or out of scope) is NOT_FOUND
// rather than a null in a non-null field.
func must[V any](ctx context.Context, l *dataloadgen.Loader[int64, *V], id int64, what string) (*V, error) {
	v, err := l.Load(ctx, id)
	if err == nil && v == nil {
		return nil, notFound(what)
	}
	return v, err
}
