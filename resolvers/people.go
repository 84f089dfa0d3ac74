package resolvers

import (
	"context"
	"time"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/workflow"
)

// Personal fields go through mask: auth.PersonalVisible decides, for every path to a person
// living in the caller's scope; a person outside it (named by a record in scope) never shows
// them. Every field shown goes to the request's log of personal data reads (store.NoteRead).
func mask(ctx context.Context, o *store.Person, field string, v *string) *string {
	if v == nil || o.OutOfScope || !auth.PersonalVisible(ctx, o.ID, field) {
		return nil
	}
	store.NoteRead(ctx, o.ID, field)
	return v
}

func (r *queryResolver) Units(ctx context.Context, search *string, kind *model.UnitKind, first *int, after *string, last *int, before *string) (*model.UnitConnection, error) {
	var k *string
	if kind != nil {
		s := stored(*kind)
		k = &s
	}
	c, err := r.Store.Units(ctx, scope(ctx), str(search), k, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Unit) *model.UnitEdge { return &model.UnitEdge{Cursor: cur, Node: n} })
	return &model.UnitConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) PartyMembers(ctx context.Context, filter *model.PartyMemberFilter, orderBy *model.PartyMemberOrder, first *int, after *string, last *int, before *string) (*model.PartyMemberConnection, error) {
	f, err := memberFilter(filter)
	if err != nil {
		return nil, err
	}
	return memberConn(ctx, f, orderBy, page(ctx, first, after, last, before))
}

func memberConn(ctx context.Context, f store.MemberFilter, orderBy *model.PartyMemberOrder, p store.Page) (*model.PartyMemberConnection, error) {
	o := store.MemberOrder{Key: "CREATED", Desc: true}
	if orderBy != nil {
		o = store.MemberOrder{Key: "CREATED", Desc: orderBy.Direction == model.SortDirectionDesc}
		if orderBy.Field == model.PartyMemberOrderFieldName {
			o.Key = "NAME"
		}
	}
	c, err := storeOf(ctx).Members(ctx, scope(ctx), f, o, p)
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.PartyMember) *model.PartyMemberEdge {
		return &model.PartyMemberEdge{Cursor: cur, Node: n}
	})
	return &model.PartyMemberConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
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

func (r *queryResolver) Checkins(ctx context.Context, filter *model.CheckinFilter, first *int, after *string, last *int, before *string) (*model.CheckinConnection, error) {
	var f store.CheckinFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		f.States = storedAll(filter.States)
		f.ReverificationDue, f.DueYear = filter.ReverificationDue, workflow.CheckinYear(time.Now())
	}
	c, err := r.Store.Checkins(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Checkin) *model.CheckinEdge { return &model.CheckinEdge{Cursor: cur, Node: n} })
	return &model.CheckinConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) GridRoster(ctx context.Context, gridID string) ([]*store.RosterEntry, error) {
	id, err := idOf("gridId", "Grid", gridID)
	if err != nil {
		return nil, err
	}
	return r.Store.GridRoster(ctx, scope(ctx), id)
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
	grid, err := mustRead(ctx, store.GridsByID, id, "grid")
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
	members, err := store.Fetch(ctx, r.Store, store.MembersByID, scope(ctx), memberIDs)
	if err != nil {
		return nil, err
	}
	for _, e := range out.Entries {
		m := members[e.Member.ID]
		if m == nil {
			return nil, notFound("party member")
		}
		e.Member, e.Name = m, m.Name
	}
	return out, nil
}

func (r *mutationResolver) RegisterCheckin(ctx context.Context, in model.RegisterCheckinInput) (*store.Checkin, error) {
	a, member, err := actingOn(ctx, "memberId", "PartyMember", in.MemberID)
	if err != nil {
		return nil, err
	}
	return r.Store.RegisterCheckin(ctx, scope(ctx), a, member, in.LetterNo)
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

func (r *mutationResolver) WithdrawCheckin(ctx context.Context, in model.WithdrawCheckinInput) (*store.Checkin, error) {
	a, id, err := actingOn(ctx, "checkinId", "Checkin", in.CheckinID)
	if err != nil {
		return nil, err
	}
	return r.Store.WithdrawCheckin(ctx, scope(ctx), a, id, in.Reason, version(in.Version))
}

func (r *mutationResolver) TransferCheckin(ctx context.Context, in model.TransferCheckinInput) (*store.Checkin, error) {
	a, id, err := actingOn(ctx, "checkinId", "Checkin", in.CheckinID)
	if err != nil {
		return nil, err
	}
	community, err := idOf("communityId", "Community", in.CommunityID)
	if err != nil {
		return nil, err
	}
	return r.Store.TransferCheckin(ctx, scope(ctx), a, id, community, str(in.Note), version(in.Version))
}

func (r *mutationResolver) ReverifyCheckin(ctx context.Context, in model.ReverifyCheckinInput) (*store.Checkin, error) {
	a, id, err := actingOn(ctx, "checkinId", "Checkin", in.CheckinID)
	if err != nil {
		return nil, err
	}
	return r.Store.ReverifyCheckin(ctx, scope(ctx), a, id, time.Now(), version(in.Version))
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
	return r.Store.Appoint(ctx, scope(ctx), building, member, stored(in.Role), dayOr(in.AppointedOn))
}

func (r *mutationResolver) EndBuildingAppointment(ctx context.Context, in model.EndBuildingAppointmentInput) (*store.BuildingAppointment, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	id, err := idOf("appointmentId", "BuildingAppointment", in.AppointmentID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndAppointment(ctx, scope(ctx), id, dayOr(in.EndedOn))
}

// dayOr is the day given, or today.
func dayOr(d *time.Time) time.Time {
	if d != nil {
		return *d
	}
	return today()
}

func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
