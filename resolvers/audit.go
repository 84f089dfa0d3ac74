package resolvers

import (
	"context"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/store"
)

// tableTypes maps the tables mutations write to the GraphQL types of their rows, so an audit
// record can name the changed object by its global id.
var tableTypes = map[string]string{
	"cities": "City", "streets": "Street", "communities": "Community", "grids": "Grid", "buildings": "Building",
	"compounds": "Compound", "facilities": "Facility", "intersections": "Intersection", "people": "Person",
	"units": "Unit", "party_members": "PartyMember", "checkins": "Checkin", "building_appointments": "BuildingAppointment",
	"service_records": "ServiceRecord", "year_ratings": "YearRating", "cadres": "Cadre", "grid_assignments": "GridAssignment",
	"red_stewards": "RedSteward", "governance_instructors": "GovernanceInstructor", "partners": "Partner",
	"work_logs": "WorkLog", "issues": "Issue", "issue_categories": "IssueCategory", "service_orders": "ServiceOrder",
	"service_categories": "ServiceCategory", "social_organisations": "SocialOrganisation", "venture_projects": "VentureProject",
	"volunteer_teams": "VolunteerTeam", "volunteers": "Volunteer", "pairings": "Pairing", "activities": "Activity",
	"activity_participants": "ActivityParticipant", "joint_meetings": "JointMeeting", "meeting_matters": "MeetingMatter",
	"residents": "Resident", "duty_shifts": "DutyShift", "mediation_room_members": "MediationRoomMember",
	"issue_extensions": "IssueExtension", "evidence": "Evidence", "patrols": "Patrol", "patrol_findings": "PatrolFinding",
	"social_party_organisations": "SocialPartyOrganisation", "building_notices": "BuildingNotice",
	"building_conventions": "BuildingConvention", "unit_notices": "UnitNotice",
	"webhook_endpoints": "WebhookEndpoint",
}

// typeTables is tableTypes reversed, to filter by a global id.
var typeTables = func() map[string]string {
	m := map[string]string{}
	for t, typ := range tableTypes {
		m[typ] = t
	}
	return m
}()

// auditReader reports whether the caller may read the audit log: the policy of
// Query.auditRecords decides it for node(id:) and nested paths too.
func auditReader(ctx context.Context) bool { return auth.AllowedCtx(ctx, "Query", "auditRecords") }

func (r *queryResolver) AuditRecords(ctx context.Context, filter *model.AuditFilter, first *int, after *string, last *int, before *string) (*model.AuditRecordConnection, error) {
	var f store.AuditFilter
	if filter != nil {
		var err error
		if f.PersonID, err = optID("actorId", "Person", filter.ActorID); err != nil {
			return nil, err
		}
		f.Role, f.Mutation, f.TargetTable = str(filter.Role), str(filter.Mutation), str(filter.TargetTable)
		if filter.TargetID != nil {
			typ, id, ok := parseGlobalID(*filter.TargetID)
			if !ok || typeTables[typ] == "" {
				return nil, apperr.Invalid("targetId", "not the id of an object the audit log records")
			}
			if f.TargetTable != "" && f.TargetTable != typeTables[typ] {
				return &model.AuditRecordConnection{PageInfo: &store.PageInfo{}}, nil
			}
			f.TargetTable, f.TargetID = typeTables[typ], &id
		}
		if filter.At != nil {
			f.From, f.To = filter.At.From, filter.At.To
		}
	}
	if !auditReader(ctx) {
		return &model.AuditRecordConnection{PageInfo: &store.PageInfo{}}, nil
	}
	c, err := r.Store.AuditRecords(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.AuditRecord) *model.AuditRecordEdge {
		return &model.AuditRecordEdge{Cursor: cur, Node: n}
	})
	return &model.AuditRecordConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) PersonalDataReads(ctx context.Context, filter *model.PersonalDataReadFilter, first *int, after *string, last *int, before *string) (*model.PersonalDataReadConnection, error) {
	var f store.PersonalDataReadFilter
	if filter != nil {
		var err error
		if f.PersonID, err = optID("personId", "Person", filter.PersonID); err != nil {
			return nil, err
		}
		if f.ReaderID, err = optID("readerId", "Person", filter.ReaderID); err != nil {
			return nil, err
		}
		if filter.At != nil {
			f.From, f.To = filter.At.From, filter.At.To
		}
	}
	if !auditReader(ctx) {
		return &model.PersonalDataReadConnection{PageInfo: &store.PageInfo{}}, nil
	}
	c, err := r.Store.PersonalDataReads(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.PersonalDataRead) *model.PersonalDataReadEdge {
		return &model.PersonalDataReadEdge{Cursor: cur, Node: n}
	})
	return &model.PersonalDataReadConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}
