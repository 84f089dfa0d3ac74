package resolvers

import (
	"context"

	"gridgov/apperr"
	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/workflow"
)

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

// changeRating runs one step of the rating cycle for the acting person.
func (r *mutationResolver) changeRating(ctx context.Context, ratingID string, ch store.RatingChange) (*store.YearRating, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idOf("ratingId", "YearRating", ratingID)
	if err != nil {
		return nil, err
	}
	return r.Store.ChangeRating(ctx, scope(ctx), a, id, ch)
}

func (r *mutationResolver) ratingAction(ctx context.Context, in model.RatingActionInput, action workflow.RatingAction) (*store.YearRating, error) {
	return r.changeRating(ctx, in.RatingID, store.RatingChange{ExpectedVersion: version(in.Version), Note: str(in.Note),
		Step: workflow.RatingStep{Action: action}})
}

func (r *mutationResolver) UpdateRating(ctx context.Context, in model.UpdateRatingInput) (*store.YearRating, error) {
	step := workflow.RatingStep{Action: workflow.RatingUpdate}
	if in.Grade != nil {
		step.Grade = stored(*in.Grade)
	}
	return r.changeRating(ctx, in.RatingID, store.RatingChange{ExpectedVersion: version(in.Version), Comment: in.Comment, Step: step})
}
func (r *mutationResolver) SubmitRating(ctx context.Context, in model.RatingActionInput) (*store.YearRating, error) {
	return r.ratingAction(ctx, in, workflow.RatingSubmit)
}
func (r *mutationResolver) ApproveRating(ctx context.Context, in model.RatingActionInput) (*store.YearRating, error) {
	return r.ratingAction(ctx, in, workflow.RatingApprove)
}
func (r *mutationResolver) NotifyRatingUnit(ctx context.Context, in model.RatingActionInput) (*store.YearRating, error) {
	return r.ratingAction(ctx, in, workflow.RatingNotify)
}
func (r *mutationResolver) AcknowledgeRating(ctx context.Context, in model.RatingActionInput) (*store.YearRating, error) {
	return r.ratingAction(ctx, in, workflow.RatingAcknowledge)
}
func (r *mutationResolver) AppealRating(ctx context.Context, in model.AppealRatingInput) (*store.YearRating, error) {
	return r.changeRating(ctx, in.RatingID, store.RatingChange{ExpectedVersion: version(in.Version),
		Step: workflow.RatingStep{Action: workflow.RatingAppeal, Reason: in.Reason}})
}
func (r *mutationResolver) DecideRatingAppeal(ctx context.Context, in model.DecideRatingAppealInput) (*store.YearRating, error) {
	step := workflow.RatingStep{Action: workflow.RatingUphold}
	if in.Decision == model.AppealDecisionUpheld && in.Grade != nil {
		return nil, apperr.Invalid("grade", "an upheld rating keeps its grade: give a grade only to revise it")
	}
	if in.Decision == model.AppealDecisionRevised {
		step.Action = workflow.RatingRevise
		if in.Grade != nil {
			step.Grade = stored(*in.Grade)
		}
	}
	return r.changeRating(ctx, in.RatingID, store.RatingChange{ExpectedVersion: version(in.Version), Note: str(in.Note), Step: step})
}

func (r *queryResolver) UnitNotices(ctx context.Context, filter *model.UnitNoticeFilter, first *int, after *string, last *int, before *string) (*model.UnitNoticeConnection, error) {
	var f store.NoticeFilter
	if filter != nil {
		var err error
		if f.UnitID, err = optID("unitId", "Unit", filter.UnitID); err != nil {
			return nil, err
		}
		f.Kinds, f.Acknowledged = storedAll(filter.Kinds), filter.Acknowledged
	}
	c, err := r.Store.UnitNotices(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.UnitNotice) *model.UnitNoticeEdge {
		return &model.UnitNoticeEdge{Cursor: cur, Node: n}
	})
	return &model.UnitNoticeConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) UnitScorecard(ctx context.Context, year int, place *model.PlaceScope) ([]*warehouse.UnitScore, error) {
	f, err := placeFilter(place, nil)
	if err != nil {
		return nil, err
	}
	return r.Store.UnitScorecard(ctx, scope(ctx), f, year)
}
