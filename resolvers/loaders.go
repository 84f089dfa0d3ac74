package resolvers

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vikstrous/dataloadgen"

	"gridgov/auth"
	"gridgov/observe"
	"gridgov/store"
)

// Loaders batch the child-field reads of one request. They are built per request (the cache
// must not outlive it, and the scope is the caller's).
//
// Two ways fill them. A root field that returns objects (a connection, node, a mutation)
// prefetches the whole requested tree before it returns (prefetch.go): level by level, one
// statement per relation, straight into the caches. The per-item Loads of the nested
// resolvers then find every value cached, so a request's statement count depends on the
// query's shape, never on timing. Anything a prefetch plan does not cover still batches by
// dataloadgen's short time window: correct, but a batch may split under CPU load.
type Loaders struct {
	City            *Loader[int64, *store.City]
	Street          *Loader[int64, *store.Street]
	Community       *Loader[int64, *store.Community]
	Grid            *Loader[int64, *store.Grid]
	Building        *Loader[int64, *store.Building]
	Person          *Loader[int64, *store.Person] // node(id:): people within scope only
	RelatedPerson   *Loader[int64, *store.Person] // the people records in scope name (store.RelatedPeople)
	Unit            *Loader[int64, *store.Unit]
	Member          *Loader[int64, *store.PartyMember]
	MemberByPerson  *Loader[int64, *store.PartyMember]
	Checkin         *Loader[int64, *store.Checkin]
	LatestCheckin   *Loader[int64, *store.Checkin]
	Issue           *Loader[int64, *store.Issue]
	IssueCategory   *Loader[int64, *store.IssueCategory]
	IssueEvents     *Loader[store.EventsKey, []*store.IssueEvent]
	Mediators       *Loader[int64, []*store.IssueMediator]
	Order           *Loader[int64, *store.ServiceOrder]
	ServiceCategory *Loader[int64, *store.ServiceCategory]
	OrderEvents     *Loader[store.EventsKey, []*store.OrderEvent]
	Ledger          *Loader[store.LedgerKey, []*store.ServiceRecord]
	ServiceTotals   *Loader[store.TotalsKey, store.ServiceTotal]
	Ratings         *Loader[int64, []*store.YearRating]
	Appointments    *Loader[int64, []*store.BuildingAppointment]
	Appointment     *Loader[int64, *store.BuildingAppointment]
	Record          *Loader[int64, *store.ServiceRecord]
	Rating          *Loader[int64, *store.YearRating]

	Compound             *Loader[int64, *store.Compound]
	Facility             *Loader[int64, *store.Facility]
	Intersection         *Loader[int64, *store.Intersection]
	Cadre                *Loader[int64, *store.Cadre] // node(id:) and lists: cadres within scope only
	RelatedCadre         *Loader[int64, *store.Cadre] // the cadres records in scope name (store.RelatedCadres)
	GridAssignment       *Loader[int64, *store.GridAssignment]
	GridAssignments      *Loader[store.AssignmentsKey, []*store.GridAssignment]
	CadreAssignments     *Loader[store.AssignmentsKey, []*store.GridAssignment]
	RedSteward           *Loader[int64, *store.RedSteward]
	GovernanceInstructor *Loader[int64, *store.GovernanceInstructor]
	Partner              *Loader[int64, *store.Partner]
	WorkLog              *Loader[int64, *store.WorkLog]
	SocialOrganisation   *Loader[int64, *store.SocialOrganisation]
	VentureProject       *Loader[int64, *store.VentureProject]
	OrgProjects          *Loader[int64, []*store.VentureProject]
	Team                 *Loader[int64, *store.VolunteerTeam]
	TeamSize             *Loader[int64, int]
	Volunteer            *Loader[int64, *store.Volunteer]
	Pairing              *Loader[int64, *store.Pairing]
	Activity             *Loader[int64, *store.Activity]
	Participant          *Loader[int64, *store.ActivityParticipant]
	Participants         *Loader[int64, []*store.ActivityParticipant]
	Meeting              *Loader[int64, *store.JointMeeting]
	Matter               *Loader[int64, *store.MeetingMatter]
	Matters              *Loader[int64, []*store.MeetingMatter]
	AuditRecord          *Loader[int64, *store.AuditRecord]
	MatterEvents         *Loader[store.EventsKey, []*store.MatterEvent]
	Resident             *Loader[int64, *store.Resident]
	DutyShift            *Loader[int64, *store.DutyShift]
	MediationRoomMember  *Loader[int64, *store.MediationRoomMember]

	store *store.Store // for the pipelines of prefetch levels
}

// batchWait is how long a loader waits for more keys when nothing prefetched them. gqlgen
// resolves the fields of one list concurrently, so the keys of a depth usually arrive within
// microseconds; a short wait keeps latency low.
const batchWait = 5 * time.Millisecond

// Loader is a dataloadgen loader that can also be filled ahead of the resolvers: keys are
// staged with want, and flush reads them all in one call of the fetch function, so later
// Loads of those keys return at once. A request builds every loader and uses a few, so a
// loader costs nothing until it is used: its dataloadgen loader is made on the first Load
// of a key flush has not read.
type Loader[K comparable, V any] struct {
	read  reader[K, V]
	store *store.Store
	scope auth.Scope
	once  sync.Once
	dl    *dataloadgen.Loader[K, V]

	mu      sync.Mutex
	vals    map[K]V // values read by flush (nil or zero for a key without a row)
	pending []K
	staged  map[K]bool
}

// Load gives the value of one key: read by flush, or batched with the keys other resolvers
// ask for within batchWait.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	l.mu.Lock()
	v, ok := l.vals[key]
	l.mu.Unlock()
	if ok {
		return v, nil
	}
	return raised(l.batched().Load(ctx, key))
}

// LoadNow gives the value of one key without waiting for a batch: the value read before, or
// a fetch of this key alone, at once. A root field that reads one row (node) has nothing to
// batch with, and Load would hold it for batchWait first.
func (l *Loader[K, V]) LoadNow(ctx context.Context, key K) (V, error) {
	vs, err := l.LoadAllNow(ctx, []K{key})
	if err != nil {
		var zero V
		return zero, err
	}
	return vs[0], nil
}

// LoadAllNow gives the values of keys as LoadNow does: the keys not read before in one fetch.
// It reads them itself rather than through flush, which would leave it empty-handed when
// another caller's flush has taken the same keys and is still reading them.
func (l *Loader[K, V]) LoadAllNow(ctx context.Context, keys []K) ([]V, error) {
	l.mu.Lock()
	var missing []K
	for _, k := range keys {
		if _, ok := l.vals[k]; !ok {
			missing = append(missing, k)
		}
	}
	l.mu.Unlock()
	if len(missing) > 0 {
		m, err := l.fetch(ctx, missing, false)
		if err != nil {
			return nil, err
		}
		l.keep(missing, m)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = l.vals[k]
	}
	return out, nil
}

// LoadAll gives the values of keys, as Load does for each.
func (l *Loader[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	return raised(l.batched().LoadAll(ctx, keys))
}

// raised passes a batch's answer on, but raises a panic of its fetch again on the caller's
// goroutine, where gqlgen's recover func makes it an INTERNAL error and logs its stack.
func raised[T any](v T, err error) (T, error) {
	var pn *store.Panic
	if err != nil && errors.As(err, &pn) {
		panic(pn)
	}
	return v, err
}

func (l *Loader[K, V]) batched() *dataloadgen.Loader[K, V] {
	l.once.Do(func() {
		window := func(ctx context.Context, keys []K) (m map[K]V, err error) {
			// dataloadgen turns a panic of its fetch goroutine into an error without the
			// stack; store.Run keeps the stack for the waiting Loads to raise.
			if pn := store.Run(func() { m, err = l.fetch(ctx, keys, true) }); pn != nil {
				return nil, pn
			}
			return m, err
		}
		dl := dataloadgen.NewLoader(mapped(window), dataloadgen.WithWait(batchWait))
		l.mu.Lock()
		defer l.mu.Unlock()
		for k, v := range l.vals { // what flush read stays read
			dl.Prime(k, v)
		}
		l.dl = dl // flush primes it from now on
	})
	return l.dl
}

// want stages keys for the next flush; keys already read or staged are skipped.
func (l *Loader[K, V]) want(keys ...K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.staged == nil {
		l.staged = map[K]bool{}
	}
	for _, k := range keys {
		if _, done := l.vals[k]; done || l.staged[k] {
			continue
		}
		l.staged[k] = true
		l.pending = append(l.pending, k)
	}
}

// flush reads every staged key in one fetch; a key without a row reads as the zero value,
// as a Load would give.
func (l *Loader[K, V]) flush(ctx context.Context) error {
	l.mu.Lock()
	keys := l.pending
	l.pending = nil
	clear(l.staged)
	l.mu.Unlock()
	if len(keys) == 0 {
		return nil
	}
	m, err := l.fetch(ctx, keys, false)
	if err != nil {
		return err
	}
	l.keep(keys, m)
	return nil
}

// keep records what a read gave for keys (a key without a row as the zero value) for later
// Loads, and for the batching loader if it has been made.
func (l *Loader[K, V]) keep(keys []K, m map[K]V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.vals == nil {
		l.vals = make(map[K]V, len(keys))
	}
	for _, k := range keys {
		l.vals[k] = m[k]
		if l.dl != nil {
			l.dl.Prime(k, m[k])
		}
	}
}

// got gives the values flush read for keys, skipping keys it has not read.
func (l *Loader[K, V]) got(keys []K) []V {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]V, 0, len(keys))
	for _, k := range keys {
		if v, ok := l.vals[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

// mapped adapts a map-returning fetch: a key without a row gives the zero value, not an
// error, so absent and out-of-scope rows look alike.
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

// reader is a store's batch read of one kind of value, for a scope, as a method expression
// ((*store.Store).GridsByID): a loader holds it with its store and scope instead of a
// closure over them, so building a request's fifty-odd loaders allocates only the loaders.
type reader[K comparable, V any] func(*store.Store, context.Context, auth.Scope, []K) (map[K]V, error)

// fetch reads keys, recording the size of the batch under the name of the type the loader
// reads and whether its keys were gathered in a batch window (waited) or read ahead.
func (l *Loader[K, V]) fetch(ctx context.Context, keys []K, waited bool) (map[K]V, error) {
	if m := observe.GraphQLFrom(ctx); m != nil {
		m.Batch(typeName[V](), len(keys), waited)
	}
	if hook := fetchHook.Load(); hook != nil {
		(*hook)(typeName[V](), keys)
	}
	return l.read(l.store, ctx, l.scope, keys)
}

// fetchHook, when set (by tests only), runs before every fetch with the name of the type
// read and the keys ([]K): a test injects a failure into one read of one request with it.
var fetchHook atomic.Pointer[func(loader string, keys any)]

// typeName names the type a loader of V loads: V without pointers and slices.
func typeName[V any]() string {
	t := reflect.TypeFor[V]()
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t.Name()
}

// scoped is a loader of read within the caller's scope.
func scoped[K comparable, V any](s *store.Store, sc auth.Scope, read reader[K, V]) *Loader[K, V] {
	return &Loader[K, V]{read: read, store: s, scope: sc}
}

// cityWide adapts a read that needs no scope (categories are the same for everyone).
func cityWide[V any](read func(*store.Store, context.Context, []int64) (map[int64]V, error)) reader[int64, V] {
	return func(s *store.Store, ctx context.Context, _ auth.Scope, keys []int64) (map[int64]V, error) {
		return read(s, ctx, keys)
	}
}

var (
	readIssueCategories   = cityWide((*store.Store).IssueCategoriesByID)
	readServiceCategories = cityWide((*store.Store).ServiceCategoriesByID)
)

// NewLoaders builds the loaders of one request for the given scope.
func NewLoaders(s *store.Store, sc auth.Scope) *Loaders {
	return &Loaders{
		City:            scoped(s, sc, (*store.Store).CitiesByID),
		Street:          scoped(s, sc, (*store.Store).StreetsByID),
		Community:       scoped(s, sc, (*store.Store).CommunitiesByID),
		Grid:            scoped(s, sc, (*store.Store).GridsByID),
		Building:        scoped(s, sc, (*store.Store).BuildingsByID),
		Person:          scoped(s, sc, (*store.Store).PeopleByID),
		RelatedPerson:   scoped(s, sc, (*store.Store).RelatedPeople),
		Unit:            scoped(s, sc, (*store.Store).UnitsByID),
		Member:          scoped(s, sc, (*store.Store).MembersByID),
		MemberByPerson:  scoped(s, sc, (*store.Store).MembersByPerson),
		Checkin:         scoped(s, sc, (*store.Store).CheckinsByID),
		LatestCheckin:   scoped(s, sc, (*store.Store).LatestCheckins),
		Issue:           scoped(s, sc, (*store.Store).IssuesByID),
		IssueCategory:   scoped(s, sc, readIssueCategories),
		IssueEvents:     scoped(s, sc, (*store.Store).IssueEvents),
		Mediators:       scoped(s, sc, (*store.Store).IssueMediators),
		Order:           scoped(s, sc, (*store.Store).OrdersByID),
		ServiceCategory: scoped(s, sc, readServiceCategories),
		OrderEvents:     scoped(s, sc, (*store.Store).OrderEvents),
		Ledger:          scoped(s, sc, (*store.Store).MemberLedgers),
		ServiceTotals:   scoped(s, sc, (*store.Store).ServiceTotals),
		Ratings:         scoped(s, sc, (*store.Store).RatingsOf),
		Appointments:    scoped(s, sc, (*store.Store).CurrentAppointments),
		Appointment:     scoped(s, sc, (*store.Store).AppointmentsByID),
		Record:          scoped(s, sc, (*store.Store).RecordsByID),
		Rating:          scoped(s, sc, (*store.Store).RatingsByID),

		Compound:             scoped(s, sc, (*store.Store).CompoundsByID),
		Facility:             scoped(s, sc, (*store.Store).FacilitiesByID),
		Intersection:         scoped(s, sc, (*store.Store).IntersectionsByID),
		Cadre:                scoped(s, sc, (*store.Store).CadresByID),
		RelatedCadre:         scoped(s, sc, (*store.Store).RelatedCadres),
		GridAssignment:       scoped(s, sc, (*store.Store).GridAssignmentsByID),
		GridAssignments:      scoped(s, sc, (*store.Store).AssignmentsOfGrids),
		CadreAssignments:     scoped(s, sc, (*store.Store).AssignmentsOfCadres),
		RedSteward:           scoped(s, sc, (*store.Store).RedStewardsByID),
		GovernanceInstructor: scoped(s, sc, (*store.Store).GovernanceInstructorsByID),
		Partner:              scoped(s, sc, (*store.Store).PartnersByID),
		WorkLog:              scoped(s, sc, (*store.Store).WorkLogsByID),
		SocialOrganisation:   scoped(s, sc, (*store.Store).SocialOrganisationsByID),
		VentureProject:       scoped(s, sc, (*store.Store).VentureProjectsByID),
		OrgProjects:          scoped(s, sc, (*store.Store).ProjectsOfOrganisations),
		Team:                 scoped(s, sc, (*store.Store).TeamsByID),
		TeamSize:             scoped(s, sc, (*store.Store).TeamSizes),
		Volunteer:            scoped(s, sc, (*store.Store).VolunteersByID),
		Pairing:              scoped(s, sc, (*store.Store).PairingsByID),
		Activity:             scoped(s, sc, (*store.Store).ActivitiesByID),
		Participant:          scoped(s, sc, (*store.Store).ParticipantsByID),
		Participants:         scoped(s, sc, (*store.Store).ParticipantsOf),
		Meeting:              scoped(s, sc, (*store.Store).MeetingsByID),
		Matter:               scoped(s, sc, (*store.Store).MattersByID),
		Matters:              scoped(s, sc, (*store.Store).MattersOf),
		AuditRecord:          scoped(s, sc, (*store.Store).AuditRecordsByID),
		MatterEvents:         scoped(s, sc, (*store.Store).MatterEvents),
		Resident:             scoped(s, sc, (*store.Store).ResidentsByID),
		DutyShift:            scoped(s, sc, (*store.Store).DutyShiftsByID),
		MediationRoomMember:  scoped(s, sc, (*store.Store).MediationRoomMembersByID),

		store: s,
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
func load[V any](ctx context.Context, l *Loader[int64, *V], id *int64) (*V, error) {
	if id == nil {
		return nil, nil
	}
	return l.Load(ctx, *id)
}

// must reads one required child; a missing row (deleted, or out of scope) is NOT_FOUND
// rather than a null in a non-null field.
func must[V any](ctx context.Context, l *Loader[int64, *V], id int64, what string) (*V, error) {
	v, err := l.Load(ctx, id)
	return required(v, err, what)
}

// mustNow is must for a root field: it reads at once (LoadNow), as there is nothing to batch.
func mustNow[V any](ctx context.Context, l *Loader[int64, *V], id int64, what string) (*V, error) {
	v, err := l.LoadNow(ctx, id)
	return required(v, err, what)
}

// required turns a missing row into NOT_FOUND naming what was looked for.
func required[V any](v *V, err error, what string) (*V, error) {
	if err == nil && v == nil {
		return nil, notFound(what)
	}
	return v, err
}
