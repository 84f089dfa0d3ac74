package resolvers

import (
	"context"
	"time"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph"
	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/workflow"
)

func (r *Resolver) Person() graph.PersonResolver           { return &personResolver{r} }
func (r *Resolver) Unit() graph.UnitResolver               { return &unitResolver{r} }
func (r *Resolver) PartyMember() graph.PartyMemberResolver { return &memberResolver{r} }
func (r *Resolver) Checkin() graph.CheckinResolver         { return &checkinResolver{r} }
func (r *Resolver) RosterEntry() graph.RosterEntryResolver { return &rosterResolver{r} }
func (r *Resolver) BuildingAppointment() graph.BuildingAppointmentResolver {
	return &appointmentResolver{r}
}
func (r *Resolver) ServiceRecord() graph.ServiceRecordResolver { return &recordResolver{r} }
func (r *Resolver) YearRating() graph.YearRatingResolver       { return &ratingResolver{r} }

type personResolver struct{ *Resolver }

// Personal fields go through mask: auth.PersonalVisible decides, for every path to a person
// living in the caller's scope; a person outside it (named by a record in scope) never shows them.
func mask(ctx context.Context, o *store.Person, field string, v *string) *string {
	if v == nil || o.OutOfScope || !auth.PersonalVisible(ctx, o.ID, field) {
		return nil
	}
	return v
}
func (personResolver) Phone(ctx context.Context, o *store.Person) (*string, error) {
	return mask(ctx, o, auth.Phone, o.Phone), nil
}
func (personResolver) IDNumber(ctx context.Context, o *store.Person) (*string, error) {
	return mask(ctx, o, auth.IDNumber, o.IDNumber), nil
}
func (personResolver) Address(ctx context.Context, o *store.Person) (*string, error) {
	return mask(ctx, o, auth.Address, o.Address), nil
}
func (personResolver) Grid(ctx context.Context, o *store.Person) (*store.Grid, error) {
	return load(ctx, For(ctx).Grid, o.GridID)
}
func (personResolver) Building(ctx context.Context, o *store.Person) (*store.Building, error) {
	return load(ctx, For(ctx).Building, o.BuildingID)
}
func (personResolver) PartyMember(ctx context.Context, o *store.Person) (*store.PartyMember, error) {
	return For(ctx).MemberByPerson.Load(ctx, o.ID)
}

type unitResolver struct{ *Resolver }

// Members lists a unit's members: the unit's view of its members' check-in, ledger totals
// and ratings.
func (r unitResolver) Members(ctx context.Context, o *store.Unit, filter *model.PartyMemberFilter, orderBy *model.PartyMemberOrder, first *int, after *string, last *int, before *string) (*model.PartyMemberConnection, error) {
	f, err := memberFilter(filter)
	if err != nil {
		return nil, err
	}
	f.UnitID = &o.ID
	return r.memberConn(ctx, f, orderBy, page(first, after, last, before))
}

func (r *queryResolver) Units(ctx context.Context, search *string, kind *model.UnitKind, first *int, after *string, last *int, before *string) (*model.UnitConnection, error) {
	var k *string
	if kind != nil {
		s := stored(*kind)
		k = &s
	}
	c, list, err := r.Store.Units(ctx, scope(ctx), str(search), k, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.Unit) *model.UnitEdge { return &model.UnitEdge{Cursor: cur, Node: n} })
	return &model.UnitConnection{PageInfo: pi, TotalCount: n, Edges: es}, err
}

func (r *queryResolver) PartyMembers(ctx context.Context, filter *model.PartyMemberFilter, orderBy *model.PartyMemberOrder, first *int, after *string, last *int, before *string) (*model.PartyMemberConnection, error) {
	f, err := memberFilter(filter)
	if err != nil {
		return nil, err
	}
	return r.memberConn(ctx, f, orderBy, page(first, after, last, before))
}

func (r *Resolver) memberConn(ctx context.Context, f store.MemberFilter, orderBy *model.PartyMemberOrder, p store.Page) (*model.PartyMemberConnection, error) {
	o := store.MemberOrder{Key: "CREATED", Desc: true}
	if orderBy != nil {
		o = store.MemberOrder{Key: "CREATED", Desc: orderBy.Direction == model.SortDirectionDesc}
		if orderBy.Field == model.PartyMemberOrderFieldName {
			o.Key = "NAME"
		}
	}
	c, list, err := r.Store.Members(ctx, scope(ctx), f, o, p)
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.PartyMember) *model.PartyMemberEdge {
		return &model.PartyMemberEdge{Cursor: cur, Node: n}
	})
	return &model.PartyMemberConnection{PageInfo: pi, TotalCount: n, Edges: es}, err
}

func memberFilter(in *model.PartyMemberFilter) (store.MemberFilter, error) {
	var f store.MemberFilter
	if in == nil {
		return f, nil
	}
	var err error
	if f.Place, err = placeFilter(in.Place, nil); err != nil {
		return f, err
	}
	if f.BuildingID, err = optID("buildingId", "Building", in.BuildingID); err != nil {
		return f, err
	}
	if f.UnitID, err = optID("unitId", "Unit", in.UnitID); err != nil {
		return f, err
	}
	f.CheckedIn, f.Search = in.CheckedIn, str(in.Search)
	return f, nil
}

type memberResolver struct{ *Resolver }

func (memberResolver) Person(ctx context.Context, o *store.PartyMember) (*store.Person, error) {
	return must(ctx, For(ctx).RelatedPerson, o.PersonID, "person")
}
func (memberResolver) Unit(ctx context.Context, o *store.PartyMember) (*store.Unit, error) {
	return must(ctx, For(ctx).Unit, o.UnitID, "unit")
}
func (memberResolver) Community(ctx context.Context, o *store.PartyMember) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}
func (memberResolver) Grid(ctx context.Context, o *store.PartyMember) (*store.Grid, error) {
	return load(ctx, For(ctx).Grid, o.GridID)
}
func (memberResolver) Building(ctx context.Context, o *store.PartyMember) (*store.Building, error) {
	return load(ctx, For(ctx).Building, o.BuildingID)
}
func (memberResolver) Checkin(ctx context.Context, o *store.PartyMember) (*store.Checkin, error) {
	return For(ctx).LatestCheckin.Load(ctx, o.ID)
}
func (memberResolver) Ledger(ctx context.Context, o *store.PartyMember, served *model.DateRange, last *int) ([]*store.ServiceRecord, error) {
	n, err := eventCount(last)
	if err != nil {
		return nil, err
	}
	k := store.LedgerKey{MemberID: o.ID, Last: n}
	if served != nil {
		if served.From != nil {
			k.From = *served.From
		}
		if served.To != nil {
			k.To = *served.To
		}
	}
	return For(ctx).Ledger.Load(ctx, k)
}
func (memberResolver) ServiceTotals(ctx context.Context, o *store.PartyMember, year *int) (*store.ServiceTotal, error) {
	k := store.TotalsKey{MemberID: o.ID}
	if year != nil {
		k.Year = *year
	}
	t, err := For(ctx).ServiceTotals.Load(ctx, k)
	return &t, err
}
func (memberResolver) Ratings(ctx context.Context, o *store.PartyMember) ([]*store.YearRating, error) {
	return For(ctx).Ratings.Load(ctx, o.ID)
}

type checkinResolver struct{ *Resolver }

func (checkinResolver) Member(ctx context.Context, o *store.Checkin) (*store.PartyMember, error) {
	return must(ctx, For(ctx).Member, o.MemberID, "party member")
}
func (checkinResolver) Community(ctx context.Context, o *store.Checkin) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}
func (checkinResolver) Grid(ctx context.Context, o *store.Checkin) (*store.Grid, error) {
	return load(ctx, For(ctx).Grid, o.GridID)
}

func (r *queryResolver) Checkins(ctx context.Context, filter *model.CheckinFilter, first *int, after *string, last *int, before *string) (*model.CheckinConnection, error) {
	var f store.CheckinFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		f.States = storedAll(filter.States)
	}
	c, list, err := r.Store.Checkins(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.Checkin) *model.CheckinEdge { return &model.CheckinEdge{Cursor: cur, Node: n} })
	return &model.CheckinConnection{PageInfo: pi, TotalCount: n, Edges: es}, err
}

func (r *queryResolver) GridRoster(ctx context.Context, gridID string) ([]*store.RosterEntry, error) {
	id, err := idOf("gridId", "Grid", gridID)
	if err != nil {
		return nil, err
	}
	entries, err := r.Store.GridRoster(ctx, scope(ctx), id)
	if err == nil {
		prefetchField(ctx, entries)
	}
	return entries, err
}

type rosterResolver struct{ *Resolver }

func (rosterResolver) Member(ctx context.Context, o *store.RosterEntry) (*store.PartyMember, error) {
	return must(ctx, For(ctx).Member, o.MemberID, "party member")
}
func (rosterResolver) Unit(ctx context.Context, o *store.RosterEntry) (*store.Unit, error) {
	return must(ctx, For(ctx).Unit, o.UnitID, "unit")
}
func (rosterResolver) Building(ctx context.Context, o *store.RosterEntry) (*store.Building, error) {
	return load(ctx, For(ctx).Building, o.BuildingID)
}

func (r *queryResolver) GridLedger(ctx context.Context, gridID string, year int, quarter int) (*model.GridLedger, error) {
	id, err := idOf("gridId", "Grid", gridID)
	if err != nil {
		return nil, err
	}
	if quarter < 1 || quarter > 4 {
		return nil, apperr.Invalid("quarter", "a quarter is 1, 2, 3 or 4")
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.Invalid("year", "year out of range")
	}
	grid, err := mustNow(ctx, For(ctx).Grid, id, "grid")
	if err != nil {
		return nil, err
	}
	from := time.Date(year, time.Month(3*(quarter-1)+1), 1, 0, 0, 0, 0, time.UTC)
	records, err := r.Store.GridLedger(ctx, scope(ctx), id, from, from.AddDate(0, 3, 0))
	if err != nil {
		return nil, err
	}
	out := &model.GridLedger{Grid: grid, Year: year, Quarter: quarter, Entries: []*model.GridLedgerEntry{}}
	var memberIDs []int64
	for _, rec := range records {
		out.TotalHours += rec.Hours
		n := len(out.Entries)
		if n == 0 || out.Entries[n-1].Member.ID != rec.MemberID {
			out.Entries = append(out.Entries, &model.GridLedgerEntry{Member: &store.PartyMember{ID: rec.MemberID}})
			memberIDs = append(memberIDs, rec.MemberID)
			n++
		}
		e := out.Entries[n-1]
		e.Hours += rec.Hours
		e.Records = append(e.Records, rec)
	}
	members, err := For(ctx).Member.LoadAllNow(ctx, memberIDs)
	if err != nil {
		return nil, err
	}
	for i, m := range members {
		if m == nil {
			return nil, notFound("party member")
		}
		out.Entries[i].Member, out.Entries[i].Name = m, m.Name
	}
	prefetchRoots(ctx, []prefetchRoot{{[]*store.Grid{grid}, below(ctx, "grid")},
		{members, below(ctx, "entries", "member")}, {records, below(ctx, "entries", "records")}})
	return out, nil
}

type appointmentResolver struct{ *Resolver }

func (appointmentResolver) Building(ctx context.Context, o *store.BuildingAppointment) (*store.Building, error) {
	return must(ctx, For(ctx).Building, o.BuildingID, "building")
}
func (appointmentResolver) Member(ctx context.Context, o *store.BuildingAppointment) (*store.PartyMember, error) {
	return must(ctx, For(ctx).Member, o.MemberID, "party member")
}

type recordResolver struct{ *Resolver }

func (recordResolver) Member(ctx context.Context, o *store.ServiceRecord) (*store.PartyMember, error) {
	return must(ctx, For(ctx).Member, o.MemberID, "party member")
}
func (recordResolver) Order(ctx context.Context, o *store.ServiceRecord) (*store.ServiceOrder, error) {
	return load(ctx, For(ctx).Order, o.OrderID)
}

type ratingResolver struct{ *Resolver }

func (ratingResolver) Member(ctx context.Context, o *store.YearRating) (*store.PartyMember, error) {
	return must(ctx, For(ctx).Member, o.MemberID, "party member")
}
func (ratingResolver) Community(ctx context.Context, o *store.YearRating) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}

func (r *mutationResolver) RegisterCheckin(ctx context.Context, in model.RegisterCheckinInput) (*store.Checkin, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	member, err := idOf("memberId", "PartyMember", in.MemberID)
	if err != nil {
		return nil, err
	}
	return r.Store.RegisterCheckin(ctx, scope(ctx), member, in.LetterNo)
}

func (r *mutationResolver) VerifyCheckin(ctx context.Context, in model.VerifyCheckinInput) (*store.Checkin, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idOf("checkinId", "Checkin", in.CheckinID)
	if err != nil {
		return nil, err
	}
	grid, err := optID("gridId", "Grid", in.GridID)
	if err != nil {
		return nil, err
	}
	return r.Store.DecideCheckin(ctx, scope(ctx), a, id, workflow.CheckinVerify, grid, "", version(in.Version))
}

func (r *mutationResolver) RejectCheckin(ctx context.Context, in model.RejectCheckinInput) (*store.Checkin, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idOf("checkinId", "Checkin", in.CheckinID)
	if err != nil {
		return nil, err
	}
	return r.Store.DecideCheckin(ctx, scope(ctx), a, id, workflow.CheckinReject, nil, in.Reason, version(in.Version))
}

func (r *mutationResolver) AppointBuildingRole(ctx context.Context, in model.AppointBuildingRoleInput) (*store.BuildingAppointment, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	building, err := idOf("buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	member, err := idOf("memberId", "PartyMember", in.MemberID)
	if err != nil {
		return nil, err
	}
	on := today()
	if in.AppointedOn != nil {
		on = *in.AppointedOn
	}
	return r.Store.Appoint(ctx, scope(ctx), building, member, stored(in.Role), on)
}

func (r *mutationResolver) EndBuildingAppointment(ctx context.Context, in model.EndBuildingAppointmentInput) (*store.BuildingAppointment, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	id, err := idOf("appointmentId", "BuildingAppointment", in.AppointmentID)
	if err != nil {
		return nil, err
	}
	on := today()
	if in.EndedOn != nil {
		on = *in.EndedOn
	}
	return r.Store.EndAppointment(ctx, scope(ctx), id, on)
}

func (r *mutationResolver) RateMember(ctx context.Context, in model.RateMemberInput) (*store.YearRating, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	member, err := idOf("memberId", "PartyMember", in.MemberID)
	if err != nil {
		return nil, err
	}
	return r.Store.RateMember(ctx, scope(ctx), a, member, in.Year, stored(in.Grade), str(in.Comment))
}

func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
