package resolvers

import (
	"context"
	"time"

	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/store"
)

func (r *queryResolver) WorkCalendar(ctx context.Context, from, to time.Time) ([]*store.WorkCalendarDay, error) {
	return r.Store.WorkCalendar(ctx, from, to)
}

// actingOn gives the acting person and the id of the object an input's field names.
func actingOn(ctx context.Context, field, typ, id string) (auth.Actor, int64, error) {
	a, err := actor(ctx)
	if err != nil {
		return a, 0, err
	}
	n, err := idOf(field, typ, id)
	return a, n, err
}

func (r *mutationResolver) RequestIssueExtension(ctx context.Context, in model.RequestIssueExtensionInput) (*store.IssueExtension, error) {
	a, id, err := actingOn(ctx, "issueId", "Issue", in.IssueID)
	if err != nil {
		return nil, err
	}
	return r.Store.RequestExtension(ctx, scope(ctx), a, id, in.DueAt, in.Reason)
}

func (r *mutationResolver) DecideIssueExtension(ctx context.Context, in model.DecideIssueExtensionInput) (*store.IssueExtension, error) {
	a, id, err := actingOn(ctx, "extensionId", "IssueExtension", in.ExtensionID)
	if err != nil {
		return nil, err
	}
	return r.Store.DecideExtension(ctx, scope(ctx), a, id, in.Approve, str(in.Note), version(in.Version))
}

func (r *mutationResolver) UrgeIssue(ctx context.Context, in model.UrgeIssueInput) (*store.Issue, error) {
	a, id, err := actingOn(ctx, "issueId", "Issue", in.IssueID)
	if err != nil {
		return nil, err
	}
	return r.Store.UrgeIssue(ctx, scope(ctx), a, id, in.Note)
}

func (r *mutationResolver) SuperviseIssue(ctx context.Context, in model.SuperviseIssueInput) (*store.Issue, error) {
	a, id, err := actingOn(ctx, "issueId", "Issue", in.IssueID)
	if err != nil {
		return nil, err
	}
	return r.Store.SuperviseIssue(ctx, scope(ctx), a, id, in.DueAt, in.Note)
}

func (r *mutationResolver) ConfirmIssue(ctx context.Context, in model.ConfirmIssueInput) (*store.Issue, error) {
	a, id, err := actingOn(ctx, "issueId", "Issue", in.IssueID)
	if err != nil {
		return nil, err
	}
	return r.Store.ConfirmIssue(ctx, scope(ctx), a, id, store.Verdict{Satisfied: in.Satisfied, Score: in.Score, Comment: str(in.Comment)})
}

func (r *mutationResolver) SetWorkday(ctx context.Context, in model.SetWorkdayInput) (*store.WorkCalendarDay, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	return r.Store.SetWorkday(ctx, in.Day, in.Workday, in.Note)
}

func (r *mutationResolver) ConfigureIssueCategory(ctx context.Context, in model.ConfigureIssueCategoryInput) (*store.IssueCategory, error) {
	_, id, err := actingOn(ctx, "categoryId", "IssueCategory", in.CategoryID)
	if err != nil {
		return nil, err
	}
	return r.Store.ConfigureIssueCategory(ctx, id, store.IssueCategoryRules{DeadlineDays: in.DeadlineDays,
		WorkingDays: in.WorkingDays, WarnAtShare: in.WarnAtShare, EscalateAfterHours: in.EscalateAfterHours,
		VerdictDays: in.VerdictDays, MaxReopens: in.MaxReopens, RequiresResolvePhoto: in.RequiresResolvePhoto})
}
