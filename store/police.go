package store

import (
	"context"

	"gridgov/apperr"
	"gridgov/auth"
)

// PoliceDuty is a volunteer-police duty (义警: patrol or traffic) as recorded: an activity of
// the team, its participants the team's volunteers with their hours.
type PoliceDuty struct {
	Activity     NewActivity // without participants
	VolunteerIDs []int64
	Hours        []float64
}

// RecordPoliceDuty records a duty of a volunteer-police team as an activity of kind
// police_patrol or police_traffic: every participant is a volunteer of that team, serving in
// the scope, and takes part as a volunteer with their hours.
func (s *Store) RecordPoliceDuty(ctx context.Context, sc auth.Scope, in PoliceDuty) (*Activity, error) {
	if len(in.VolunteerIDs) == 0 {
		return nil, apperr.Invalid("participants", "a duty has participants")
	}
	var out *Activity
	err := s.Write(ctx, func(ctx context.Context) error {
		tx, _ := txOf(ctx)
		var police bool
		err := tx.QueryRow(ctx, `SELECT is_volunteer_police FROM volunteer_teams WHERE id = $1 AND deleted_at IS NULL`,
			*in.Activity.TeamID).Scan(&police)
		if isNoRows(err) || err == nil && !police {
			return apperr.Invalid("teamId", "a police duty is one of a volunteer-police team (义警)")
		}
		if err != nil {
			return MapError("record police duty", err)
		}
		q := &query{}
		q.where("id = ANY(?)", in.VolunteerIDs)
		q.where("team_id = ?", *in.Activity.TeamID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("volunteers", ""))
		rows, err := tx.Query(ctx, `SELECT id, person_id FROM volunteers`+q.sql(), q.args...)
		if err != nil {
			return MapError("record police duty", err)
		}
		people := map[int64]int64{}
		for rows.Next() {
			var v, p int64
			if err := rows.Scan(&v, &p); err != nil {
				rows.Close()
				return MapError("record police duty", err)
			}
			people[v] = p
		}
		rows.Close()
		for i, v := range in.VolunteerIDs {
			p, ok := people[v]
			if !ok {
				return apperr.Invalid("participants", "every participant is a volunteer of the team")
			}
			in.Activity.Participants = append(in.Activity.Participants, NewParticipant{PersonID: p, Role: "volunteer", Hours: in.Hours[i]})
		}
		out, err = s.RecordActivity(ctx, sc, in.Activity)
		return err
	})
	return out, err
}
