package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
)

// Joint meetings scheduled ahead, their minutes, and matters raised as issues. Every id the
// inputs name is resolved in the caller's scope before the store writes (inWrite); the
// store checks the meeting's machine and writes the history.

func (r *queryResolver) MeetingCompliance(ctx context.Context, year int, quarter int, place *model.PlaceScope) (*store.MeetingCompliance, error) {
	f, err := placeFilter(place, nil)
	if err != nil {
		return nil, err
	}
	return r.Store.MeetingCompliance(ctx, scope(ctx), year, quarter, f)
}

func attendees(in []*model.AttendeeInput) ([]store.NewAttendee, error) {
	out := make([]store.NewAttendee, 0, len(in))
	for _, a := range in {
		person, err := idOf("attendees.personId", "Person", a.PersonID)
		if err != nil {
			return nil, err
		}
		unit, err := optID("attendees.unitId", "Unit", a.UnitID)
		if err != nil {
			return nil, err
		}
		out = append(out, store.NewAttendee{PersonID: person, Role: stored(a.Role), UnitID: unit})
	}
	return out, nil
}

func (r *mutationResolver) ScheduleJointMeeting(ctx context.Context, in model.ScheduleJointMeetingInput) (*store.JointMeeting, error) {
	a, community, err := actingOn(ctx, "communityId", "Community", in.CommunityID)
	if err != nil {
		return nil, err
	}
	named, err := attendees(in.Attendees)
	if err != nil {
		return nil, err
	}
	return r.Store.ScheduleMeeting(ctx, scope(ctx), a, store.NewSchedule{CommunityID: community, At: in.ScheduledAt,
		Place: str(in.Place), Title: in.Title, Agenda: in.Agenda, Attendees: named})
}

func (r *mutationResolver) RescheduleJointMeeting(ctx context.Context, in model.RescheduleJointMeetingInput) (*store.JointMeeting, error) {
	a, id, err := actingOn(ctx, "meetingId", "JointMeeting", in.MeetingID)
	if err != nil {
		return nil, err
	}
	return r.Store.RescheduleMeeting(ctx, scope(ctx), a, id, version(in.Version), in.ScheduledAt, in.Place, str(in.Note))
}

func (r *mutationResolver) CancelJointMeeting(ctx context.Context, in model.CancelJointMeetingInput) (*store.JointMeeting, error) {
	a, id, err := actingOn(ctx, "meetingId", "JointMeeting", in.MeetingID)
	if err != nil {
		return nil, err
	}
	return r.Store.CancelMeeting(ctx, scope(ctx), a, id, version(in.Version), in.Reason)
}

func (r *mutationResolver) RecordMeetingMinutes(ctx context.Context, in model.RecordMeetingMinutesInput) (*store.JointMeeting, error) {
	a, id, err := actingOn(ctx, "meetingId", "JointMeeting", in.MeetingID)
	if err != nil {
		return nil, err
	}
	attended, err := idsOf("attended", "Person", in.Attended)
	if err != nil {
		return nil, err
	}
	m := store.Minutes{Text: in.Minutes, HeldOn: in.HeldOn, Attended: attended, Attendees: in.Attendees}
	for _, x := range in.Matters {
		m.Matters = append(m.Matters, matter(x))
	}
	return r.Store.RecordMinutes(ctx, scope(ctx), a, id, version(in.Version), m)
}

func (r *mutationResolver) RaiseMatterIssue(ctx context.Context, in model.RaiseMatterIssueInput) (*store.MeetingMatter, error) {
	a, id, err := actingOn(ctx, "matterId", "MeetingMatter", in.MatterID)
	if err != nil {
		return nil, err
	}
	role, err := reporterRole(a, nil)
	if err != nil {
		return nil, err
	}
	cat, grid, err := issuePlace(in.CategoryID, in.GridID)
	if err != nil {
		return nil, err
	}
	return r.Store.RaiseMatterIssue(ctx, scope(ctx), a, id, version(in.Version), store.NewIssue{CategoryID: cat, GridID: grid,
		Title: str(in.Title), Description: str(in.Description), ReporterRole: stored(role)})
}
