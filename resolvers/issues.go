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

// maxEvents bounds how much history one field returns.
const maxEvents = 100

func (r *queryResolver) Issues(ctx context.Context, filter *model.IssueFilter, orderBy *model.IssueOrder, first *int, after *string, last *int, before *string) (*model.IssueConnection, error) {
	f, err := issueFilter(filter)
	if err != nil {
		return nil, err
	}
	o := store.IssueOrder{Key: "REPORTED_AT", Desc: true}
	if orderBy != nil {
		o = store.IssueOrder{Key: string(orderBy.Field), Desc: orderBy.Direction == model.SortDirectionDesc}
	}
	return issueConn(ctx, f, o, page(ctx, first, after, last, before))
}

func issueConn(ctx context.Context, f store.IssueFilter, o store.IssueOrder, p store.Page) (*model.IssueConnection, error) {
	c, err := storeOf(ctx).Issues(ctx, scope(ctx), f, o, p)
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Issue) *model.IssueEdge { return &model.IssueEdge{Cursor: cur, Node: n} })
	return &model.IssueConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func issueFilter(in *model.IssueFilter) (store.IssueFilter, error) {
	var f store.IssueFilter
	if in == nil {
		return f, nil
	}
	var err error
	if f.Place, err = placeFilter(in.Place, in.Search); err != nil {
		return f, err
	}
	f.Search, f.Place.Search = f.Place.Search, ""
	if f.BuildingID, err = optID("buildingId", "Building", in.BuildingID); err != nil {
		return f, err
	}
	if f.CategoryIDs, err = idsOf("categoryIds", "IssueCategory", in.CategoryIds); err != nil {
		return f, err
	}
	if f.ReporterID, err = optID("reporterId", "Person", in.ReporterID); err != nil {
		return f, err
	}
	if f.HandlerID, err = optID("handlerId", "Person", in.HandlerID); err != nil {
		return f, err
	}
	f.States = storedAll(in.States)
	if in.Reported != nil {
		f.ReportedFrom, f.ReportedBefore = in.Reported.From, in.Reported.To
	}
	f.DueBefore, f.Overdue, f.Open, f.IsDispute = in.DueBefore, in.Overdue, in.Open, in.IsDispute
	f.Supervised, f.Urged = in.Supervised, in.Urged
	f.Place.Area, err = areaOf("area", in.Area)
	return f, err
}

func (r *queryResolver) IssueCategories(ctx context.Context) ([]*store.IssueCategory, error) {
	return r.Store.IssueCategories(ctx)
}

func (r *queryResolver) MonthlyReview(ctx context.Context, communityID string, month string) (*store.MonthlyReview, error) {
	id, err := idOf("communityId", "Community", communityID)
	if err != nil {
		return nil, err
	}
	from, err := time.ParseInLocation("2006-01", month, time.Local)
	if err != nil {
		return nil, apperr.Invalid("month", "a month is written YYYY-MM")
	}
	if _, err := mustRead(ctx, store.CommunitiesByID, id, "community"); err != nil {
		return nil, err
	}
	return r.Store.MonthlyReview(ctx, scope(ctx), id, from, from.AddDate(0, 1, 0))
}

func eventCount(last *int) (int, error) {
	if last == nil {
		return 20, nil
	}
	if *last < 0 || *last > maxEvents {
		return 0, apperr.Invalid("last", "last must be between 0 and %d", maxEvents)
	}
	return *last, nil
}

// Mutations of the issue register. Each decodes its input and hands one step to the store,
// which checks the state machine and writes the change with its history.

func (r *mutationResolver) ReportIssue(ctx context.Context, in model.ReportIssueInput) (*store.Issue, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := idOf("categoryId", "IssueCategory", in.CategoryID)
	if err != nil {
		return nil, err
	}
	grid, err := optID("gridId", "Grid", in.GridID)
	if err != nil {
		return nil, err
	}
	building, err := optID("buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	location, err := pointOf("location", in.Location)
	if err != nil {
		return nil, err
	}
	role, err := reporterRole(a, in.ReporterRole)
	if err != nil {
		return nil, err
	}
	return r.Store.ReportIssue(ctx, scope(ctx), a, store.NewIssue{CategoryID: cat, GridID: orZero(grid), BuildingID: building,
		Title: in.Title, Description: str(in.Description), ReporterRole: stored(role),
		IsDispute: in.IsDispute != nil && *in.IsDispute, Location: location})
}

// orZero is *id, or 0 for none.
func orZero(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// issuePlace decodes the category and grid of a new issue.
func issuePlace(categoryID, gridID string) (cat, grid int64, err error) {
	if cat, err = idOf("categoryId", "IssueCategory", categoryID); err != nil {
		return 0, 0, err
	}
	grid, err = idOf("gridId", "Grid", gridID)
	return cat, grid, err
}

// reporterRoles gives the capacity a token's role reports in.
var reporterRoles = map[string]model.ReporterRole{
	"city_admin": model.ReporterRoleCadre, "street_cadre": model.ReporterRoleCadre, "community_cadre": model.ReporterRoleCadre,
	"grid_worker": model.ReporterRoleGridWorker, "party_member": model.ReporterRolePartyMember, "resident": model.ReporterRoleResident,
}

// reporterRole is the capacity of a report: the token's, never the input's; an input that
// claims another is refused.
func reporterRole(a auth.Actor, claimed *model.ReporterRole) (model.ReporterRole, error) {
	role, ok := reporterRoles[a.Role]
	if !ok {
		return "", apperr.New(apperr.Forbidden, "the role %s does not report issues", a.Role)
	}
	if claimed != nil && *claimed != role {
		return "", apperr.Invalid("reporterRole", "a %s token reports as %s", a.Role, role)
	}
	return role, nil
}

// change runs one issue transition for the acting person.
func (r *mutationResolver) change(ctx context.Context, issueID string, ch store.IssueChange) (*store.Issue, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idOf("issueId", "Issue", issueID)
	if err != nil {
		return nil, err
	}
	return r.Store.ChangeIssue(ctx, scope(ctx), a, id, ch)
}

func (r *mutationResolver) simple(ctx context.Context, in model.IssueActionInput, action workflow.IssueAction) (*store.Issue, error) {
	return r.change(ctx, in.IssueID, store.IssueChange{ExpectedVersion: version(in.Version),
		Step: workflow.IssueStep{Action: action, Note: str(in.Note)}})
}

func (r *mutationResolver) AcceptIssue(ctx context.Context, in model.IssueActionInput) (*store.Issue, error) {
	return r.simple(ctx, in, workflow.IssueAccept)
}
func (r *mutationResolver) StartIssue(ctx context.Context, in model.IssueActionInput) (*store.Issue, error) {
	return r.simple(ctx, in, workflow.IssueStart)
}
func (r *mutationResolver) ReturnIssue(ctx context.Context, in model.IssueActionInput) (*store.Issue, error) {
	return r.simple(ctx, in, workflow.IssueReturn)
}
func (r *mutationResolver) CloseIssue(ctx context.Context, in model.IssueActionInput) (*store.Issue, error) {
	return r.simple(ctx, in, workflow.IssueClose)
}
func (r *mutationResolver) ReopenIssue(ctx context.Context, in model.IssueActionInput) (*store.Issue, error) {
	return r.simple(ctx, in, workflow.IssueReopen)
}

func (r *mutationResolver) DispatchIssue(ctx context.Context, in model.DispatchIssueInput) (*store.Issue, error) {
	person, err := optID("handlerPersonId", "Person", in.HandlerPersonID)
	if err != nil {
		return nil, err
	}
	unit, err := optID("handlerUnitId", "Unit", in.HandlerUnitID)
	if err != nil {
		return nil, err
	}
	return r.change(ctx, in.IssueID, store.IssueChange{ExpectedVersion: version(in.Version),
		Step:        workflow.IssueStep{Action: workflow.IssueDispatch, Note: str(in.Note)},
		HandlerKind: stored(in.HandlerKind), HandlerPersonID: person, HandlerUnitID: unit})
}

func (r *mutationResolver) EscalateIssue(ctx context.Context, in model.EscalateIssueInput) (*store.Issue, error) {
	return r.change(ctx, in.IssueID, store.IssueChange{ExpectedVersion: version(in.Version),
		Step: workflow.IssueStep{Action: workflow.IssueEscalate, Note: str(in.Note),
			EscalateTo: workflow.EscalationLevel(stored(in.Level))}})
}

func (r *mutationResolver) ResolveIssue(ctx context.Context, in model.ResolveIssueInput) (*store.Issue, error) {
	outcome := ""
	if in.DisputeOutcome != nil {
		outcome = stored(*in.DisputeOutcome)
	}
	return r.change(ctx, in.IssueID, store.IssueChange{ExpectedVersion: version(in.Version), ResolvedQuantity: in.Quantity,
		Step: workflow.IssueStep{Action: workflow.IssueResolve, Note: str(in.Note), Result: in.Result, DisputeOutcome: outcome}})
}

func (r *mutationResolver) AddMediator(ctx context.Context, in model.AddMediatorInput) (*store.Issue, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	issue, err := idOf("issueId", "Issue", in.IssueID)
	if err != nil {
		return nil, err
	}
	person, err := idOf("personId", "Person", in.PersonID)
	if err != nil {
		return nil, err
	}
	return r.Store.AddMediator(ctx, scope(ctx), issue, person, stored(in.Role))
}
