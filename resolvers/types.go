package resolvers

import (
	"context"
	"strconv"
	"time"

	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/workflow"
)

// declared is every field of the schema that its object's Go type does not hold, declared
// once (declare.go says how each kind is read). A relation is one line: the field, the store
// source it is read from, and the id the object holds. People named by a record (a reporter,
// an actor, a member's person) are read wherever they live (RelatedPeople), their personal
// fields masked unless they live in the caller's scope; node(id:) reads people within it.
var declared = []*objectType{
	object("City", store.CitiesByID),
	object("Street", store.StreetsByID,
		shape(store.StreetShapes, func(o *store.Street) int64 { return o.ID }),
		one("city", store.CitiesByID, func(o *store.Street) int64 { return o.CityID })),
	object("Community", store.CommunitiesByID,
		shape(store.CommunityShapes, func(o *store.Community) int64 { return o.ID }),
		one("street", store.StreetsByID, func(o *store.Community) int64 { return o.StreetID })),
	object("Grid", store.GridsByID,
		shape(store.GridShapes, func(o *store.Grid) int64 { return o.ID }),
		one("street", store.StreetsByID, func(o *store.Grid) int64 { return o.StreetID }),
		one("community", store.CommunitiesByID, func(o *store.Grid) int64 { return o.CommunityID }),
		byKey("assignments", store.AssignmentsOfGrids, func(o *store.Grid, a args) (store.AssignmentsKey, error) {
			return store.AssignmentsKey{ID: o.ID, Current: current(a)}, nil
		})),
	object("Building", store.BuildingsByID,
		shape(store.BuildingPoints, func(o *store.Building) int64 { return o.ID }),
		one("grid", store.GridsByID, func(o *store.Building) int64 { return o.GridID }),
		one("community", store.CommunitiesByID, func(o *store.Building) int64 { return o.CommunityID }),
		byKey("appointments", store.CurrentAppointments, func(o *store.Building, _ args) (int64, error) { return o.ID, nil })),
	object("Compound", store.CompoundsByID,
		one("community", store.CommunitiesByID, func(o *store.Compound) int64 { return o.CommunityID })),
	object("Facility", store.FacilitiesByID,
		shape(store.FacilityPoints, func(o *store.Facility) int64 { return o.ID }),
		one("community", store.CommunitiesByID, func(o *store.Facility) int64 { return o.CommunityID }),
		opt("compound", store.CompoundsByID, func(o *store.Facility) *int64 { return o.CompoundID })),
	object("Intersection", store.IntersectionsByID,
		shape(store.IntersectionPoints, func(o *store.Intersection) int64 { return o.ID }),
		one("community", store.CommunitiesByID, func(o *store.Intersection) int64 { return o.CommunityID })),

	object("Person", store.PeopleByID,
		computed("phone", func(ctx context.Context, o *store.Person, _ args) (*string, error) {
			return mask(ctx, o, auth.Phone, o.Phone), nil
		}),
		computed("idNumber", func(ctx context.Context, o *store.Person, _ args) (*string, error) {
			return mask(ctx, o, auth.IDNumber, o.IDNumber), nil
		}),
		computed("address", func(ctx context.Context, o *store.Person, _ args) (*string, error) {
			return mask(ctx, o, auth.Address, o.Address), nil
		}),
		opt("grid", store.GridsByID, func(o *store.Person) *int64 { return o.GridID }),
		opt("building", store.BuildingsByID, func(o *store.Person) *int64 { return o.BuildingID }),
		byKey("partyMember", store.MembersByPerson, func(o *store.Person, _ args) (int64, error) { return o.ID, nil })),
	object("Unit", store.UnitsByID,
		own("members", func(ctx context.Context, o *store.Unit, a args) (*model.PartyMemberConnection, error) {
			var filter *model.PartyMemberFilter
			var order *model.PartyMemberOrder
			if err := a.into("filter", &filter); err != nil {
				return nil, err
			}
			if err := a.into("orderBy", &order); err != nil {
				return nil, err
			}
			f, err := memberFilter(filter)
			if err != nil {
				return nil, err
			}
			f.UnitID = &o.ID
			return memberConn(ctx, f, order, a.page(ctx))
		})),
	object("PartyMember", store.MembersByID,
		one("person", store.RelatedPeople, func(o *store.PartyMember) int64 { return o.PersonID }),
		one("unit", store.UnitsByID, func(o *store.PartyMember) int64 { return o.UnitID }),
		one("community", store.CommunitiesByID, func(o *store.PartyMember) int64 { return o.CommunityID }),
		opt("grid", store.GridsByID, func(o *store.PartyMember) *int64 { return o.GridID }),
		opt("building", store.BuildingsByID, func(o *store.PartyMember) *int64 { return o.BuildingID }),
		byKey("checkin", store.LatestCheckins, func(o *store.PartyMember, _ args) (int64, error) { return o.ID, nil }),
		byKey("ledger", store.MemberLedgers, ledgerKey),
		byKey("serviceTotals", store.ServiceTotals, func(o *store.PartyMember, a args) (store.TotalsKey, error) {
			k := store.TotalsKey{MemberID: o.ID}
			if y := a.int("year"); y != nil {
				k.Year = *y
			}
			return k, nil
		}),
		byKey("ratings", store.RatingsOf, func(o *store.PartyMember, _ args) (int64, error) { return o.ID, nil })),
	object("Checkin", store.CheckinsByID,
		one("member", store.CheckinMembers, func(o *store.Checkin) int64 { return o.MemberID }),
		one("community", store.CheckinCommunities, func(o *store.Checkin) int64 { return o.CommunityID }),
		opt("grid", store.GridsByID, func(o *store.Checkin) *int64 { return o.GridID }),
		opt("decidedBy", store.RelatedCadres, func(o *store.Checkin) *int64 { return o.DecidedBy }),
		opt("endedBy", store.RelatedPeople, func(o *store.Checkin) *int64 { return o.EndedBy }),
		opt("transferredTo", store.CheckinsByID, func(o *store.Checkin) *int64 { return o.TransferredTo }),
		opt("transferredFrom", store.CheckinsByID, func(o *store.Checkin) *int64 { return o.TransferredFrom }),
		opt("reverifiedBy", store.RelatedCadres, func(o *store.Checkin) *int64 { return o.ReverifiedBy }),
		computed("reverificationDue", func(_ context.Context, o *store.Checkin, _ args) (bool, error) {
			return workflow.ReverificationDue(workflow.CheckinState(o.State), o.DecidedAt, o.ReverifiedYear,
				workflow.CheckinYear(time.Now())), nil
		}),
		byKey("events", store.CheckinEvents, func(o *store.Checkin, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("CheckinEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.CheckinEvent) *int64 { return o.ActorID })),
	object("RosterEntry", nil,
		one("member", store.MembersByID, func(o *store.RosterEntry) int64 { return o.MemberID }),
		one("unit", store.UnitsByID, func(o *store.RosterEntry) int64 { return o.UnitID }),
		opt("building", store.BuildingsByID, func(o *store.RosterEntry) *int64 { return o.BuildingID })),
	object("BuildingAppointment", store.AppointmentsByID,
		one("building", store.BuildingsByID, func(o *store.BuildingAppointment) int64 { return o.BuildingID }),
		one("member", store.MembersByID, func(o *store.BuildingAppointment) int64 { return o.MemberID })),
	object("ServiceRecord", store.RecordsByID,
		one("member", store.MembersByID, func(o *store.ServiceRecord) int64 { return o.MemberID }),
		opt("order", store.OrdersByID, func(o *store.ServiceRecord) *int64 { return o.OrderID }),
		byKey("evidence", store.RecordEvidence, func(o *store.ServiceRecord, _ args) (int64, error) { return o.ID, nil })),
	object("YearRating", store.RatingsByID,
		one("member", store.MembersByID, func(o *store.YearRating) int64 { return o.MemberID }),
		one("community", store.CommunitiesByID, func(o *store.YearRating) int64 { return o.CommunityID }),
		opt("approvedBy", store.RelatedPeople, func(o *store.YearRating) *int64 { return o.ApprovedBy }),
		opt("acknowledgedBy", store.RelatedPeople, func(o *store.YearRating) *int64 { return o.AcknowledgedBy }),
		byKey("history", store.RatingEvents, func(o *store.YearRating, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("RatingAppeal", nil,
		opt("decidedBy", store.RelatedPeople, func(o *store.RatingAppeal) *int64 { return o.DecidedBy })),
	object("RatingEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.RatingEvent) *int64 { return o.ActorID })),
	object("UnitScore", nil,
		one("unit", store.UnitsByID, func(o *warehouse.UnitScore) int64 { return o.UnitID })),
	object[store.WebhookEndpoint]("WebhookEndpoint", nil),
	object[store.WebhookDelivery]("WebhookDelivery", nil),
	object("UnitNotice", store.NoticesByID,
		one("unit", store.UnitsByID, func(o *store.UnitNotice) int64 { return o.UnitID }),
		one("member", store.MembersByID, func(o *store.UnitNotice) int64 { return o.MemberID }),
		opt("rating", store.RatingsByID, noticeSubject(store.NoticeRating)),
		opt("checkin", store.CheckinsByID, noticeSubject(store.NoticeCheckin)),
		opt("acknowledgedBy", store.RelatedPeople, func(o *store.UnitNotice) *int64 { return o.AcknowledgedBy })),

	object("IssueCategory", store.IssueCategoriesByID),
	object("Issue", store.IssuesByID,
		issuePoint(),
		one("category", store.IssueCategoriesByID, func(o *store.Issue) int64 { return o.CategoryID }),
		one("grid", store.GridsByID, func(o *store.Issue) int64 { return o.GridID }),
		one("community", store.CommunitiesByID, func(o *store.Issue) int64 { return o.CommunityID }),
		opt("building", store.BuildingsByID, func(o *store.Issue) *int64 { return o.BuildingID }),
		one("reporter", store.RelatedPeople, func(o *store.Issue) int64 { return o.ReporterID }),
		opt("handler", store.RelatedPeople, func(o *store.Issue) *int64 { return o.HandlerPersonID }),
		opt("handlerUnit", store.UnitsByID, func(o *store.Issue) *int64 { return o.HandlerUnitID }),
		opt("meetingMatter", store.MattersByID, func(o *store.Issue) *int64 { return o.MatterID }),
		byKey("mediators", store.IssueMediators, func(o *store.Issue, _ args) (int64, error) { return o.ID, nil }),
		byKey("extensions", store.IssueExtensions, func(o *store.Issue, _ args) (int64, error) { return o.ID, nil }),
		byKey("evidence", store.IssueEvidence, func(o *store.Issue, _ args) (int64, error) { return o.ID, nil }),
		computed("supervision", func(_ context.Context, o *store.Issue, _ args) (*store.Supervision, error) {
			return o.Supervision(), nil
		}),
		computed("verdict", func(_ context.Context, o *store.Issue, _ args) (*store.IssueVerdict, error) { return o.Verdict(), nil }),
		byKey("events", store.IssueEvents, func(o *store.Issue, a args) (store.EventsKey, error) { return lastOf(o.ID, a) }),
		computed("overdue", func(_ context.Context, o *store.Issue, _ args) (bool, error) { return o.Overdue(time.Now()), nil }),
		computed("allowedActions", func(_ context.Context, o *store.Issue, _ args) ([]model.IssueAction, error) {
			var out []model.IssueAction
			for _, a := range workflow.IssueActions(workflow.IssueState(o.State)) {
				out = append(out, enum[model.IssueAction](string(a)))
			}
			return out, nil
		})),
	object("IssueExtension", store.IssueExtensionsByID,
		one("issue", store.IssuesByID, func(o *store.IssueExtension) int64 { return o.IssueID }),
		one("requestedBy", store.RelatedPeople, func(o *store.IssueExtension) int64 { return o.RequestedBy }),
		opt("decidedBy", store.RelatedPeople, func(o *store.IssueExtension) *int64 { return o.DecidedBy })),
	object("Evidence", store.EvidenceByID,
		one("uploadedBy", store.RelatedPeople, func(o *store.Evidence) int64 { return o.UploaderID }),
		computed("url", func(_ context.Context, o *store.Evidence, _ args) (string, error) {
			return evidenceURL(o.ID, false), nil
		}),
		computed("thumbnailUrl", func(_ context.Context, o *store.Evidence, _ args) (*string, error) {
			if o.ThumbSHA256 == nil {
				return nil, nil
			}
			u := evidenceURL(o.ID, true)
			return &u, nil
		})),
	object("GeneratedReport", nil,
		computed("xlsxUrl", func(_ context.Context, o *store.GeneratedReport, _ args) (string, error) {
			return reportURL(o.ID, false), nil
		}),
		computed("csvUrl", func(_ context.Context, o *store.GeneratedReport, _ args) (string, error) {
			return reportURL(o.ID, true), nil
		})),
	object("Verdict", nil,
		opt("recordedBy", store.RelatedPeople, func(o *store.IssueVerdict) *int64 { return o.RecordedByID })),
	object("Supervision", nil,
		one("supervisor", store.RelatedPeople, func(o *store.Supervision) int64 { return o.SupervisorID }),
		computed("overdue", func(_ context.Context, o *store.Supervision, _ args) (bool, error) { return o.PastDue(time.Now()), nil })),
	object("IssueEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.IssueEvent) *int64 { return o.ActorID })),
	object("Mediator", nil,
		one("person", store.RelatedPeople, func(o *store.IssueMediator) int64 { return o.PersonID })),
	object("NearbyFacility", nil,
		one("facility", store.FacilitiesByID, func(o *store.NearbyFacility) int64 { return o.FacilityID })),
	object("MonthlyReview", nil,
		one("community", store.CommunitiesByID, func(o *store.MonthlyReview) int64 { return o.CommunityID }),
		own("openIssues", func(ctx context.Context, o *store.MonthlyReview, a args) (*model.IssueConnection, error) {
			open := true
			f := store.IssueFilter{Place: store.PlaceFilter{CommunityID: &o.CommunityID}, ReportedBefore: &o.To, Open: &open}
			return issueConn(ctx, f, store.IssueOrder{Key: "REPORTED_AT"}, a.page(ctx))
		}),
		own("overdueIssues", func(ctx context.Context, o *store.MonthlyReview, a args) (*model.IssueConnection, error) {
			overdue := true
			f := store.IssueFilter{Place: store.PlaceFilter{CommunityID: &o.CommunityID}, ReportedBefore: &o.To, Overdue: &overdue}
			return issueConn(ctx, f, store.IssueOrder{Key: "DUE_AT"}, a.page(ctx))
		})),

	object("ServiceCategory", store.ServiceCategoriesByID),
	object("ServiceOrder", store.OrdersByID,
		one("category", store.ServiceCategoriesByID, func(o *store.ServiceOrder) int64 { return o.CategoryID }),
		one("grid", store.GridsByID, func(o *store.ServiceOrder) int64 { return o.GridID }),
		opt("building", store.BuildingsByID, func(o *store.ServiceOrder) *int64 { return o.BuildingID }),
		one("resident", store.RelatedPeople, func(o *store.ServiceOrder) int64 { return o.ResidentID }),
		opt("claimedBy", store.MembersByID, func(o *store.ServiceOrder) *int64 { return o.ClaimedBy }),
		computed("late", func(_ context.Context, o *store.ServiceOrder, _ args) (bool, error) { return o.Late(time.Now()), nil }),
		byKey("events", store.OrderEvents, func(o *store.ServiceOrder, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("OrderEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.OrderEvent) *int64 { return o.ActorID })),

	object("Resident", store.ResidentsByID,
		one("person", store.RelatedPeople, func(o *store.Resident) int64 { return o.PersonID }),
		one("grid", store.GridsByID, func(o *store.Resident) int64 { return o.GridID }),
		one("building", store.BuildingsByID, func(o *store.Resident) int64 { return o.BuildingID }),
		opt("collectedBy", store.RelatedCadres, func(o *store.Resident) *int64 { return o.CollectedBy })),
	object("Cadre", store.CadresByID,
		one("person", store.RelatedPeople, func(o *store.Cadre) int64 { return o.PersonID }),
		one("street", store.StreetsByID, func(o *store.Cadre) int64 { return o.StreetID }),
		opt("community", store.CommunitiesByID, func(o *store.Cadre) *int64 { return o.CommunityID }),
		byKey("assignments", store.AssignmentsOfCadres, func(o *store.Cadre, a args) (store.AssignmentsKey, error) {
			return store.AssignmentsKey{ID: o.ID, Current: current(a)}, nil
		})),
	object("GridAssignment", store.GridAssignmentsByID,
		one("grid", store.GridsByID, func(o *store.GridAssignment) int64 { return o.GridID }),
		one("cadre", store.RelatedCadres, func(o *store.GridAssignment) int64 { return o.CadreID })),
	object("RedSteward", store.RedStewardsByID,
		one("person", store.RelatedPeople, func(o *store.RedSteward) int64 { return o.PersonID }),
		one("grid", store.GridsByID, func(o *store.RedSteward) int64 { return o.GridID }),
		byKey("history", store.StewardHistory, func(o *store.RedSteward, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("Patrol", store.PatrolsByID,
		one("steward", store.RedStewardsByID, func(o *store.Patrol) int64 { return o.StewardID }),
		one("grid", store.GridsByID, func(o *store.Patrol) int64 { return o.GridID }),
		byKey("findings", store.FindingsOf, func(o *store.Patrol, _ args) (int64, error) { return o.ID, nil })),
	object("PatrolFinding", store.FindingsByID,
		one("patrol", store.PatrolsByID, func(o *store.PatrolFinding) int64 { return o.PatrolID }),
		opt("issue", store.IssuesByID, func(o *store.PatrolFinding) *int64 { return o.IssueID })),
	object("BuildingNotice", store.BuildingNoticesByID,
		one("building", store.BuildingsByID, func(o *store.BuildingNotice) int64 { return o.BuildingID }),
		byKey("history", store.NoticeHistory, func(o *store.BuildingNotice, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("BuildingConvention", store.ConventionsByID,
		one("building", store.BuildingsByID, func(o *store.BuildingConvention) int64 { return o.BuildingID }),
		byKey("history", store.ConventionHistory, func(o *store.BuildingConvention, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("RegisterEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.RegisterEvent) *int64 { return o.ActorID })),
	object("GovernanceInstructor", store.GovernanceInstructorsByID,
		one("person", store.RelatedPeople, func(o *store.GovernanceInstructor) int64 { return o.PersonID }),
		one("community", store.CommunitiesByID, func(o *store.GovernanceInstructor) int64 { return o.CommunityID })),
	object("Partner", store.PartnersByID,
		one("person", store.RelatedPeople, func(o *store.Partner) int64 { return o.PersonID }),
		one("community", store.CommunitiesByID, func(o *store.Partner) int64 { return o.CommunityID })),
	object("WorkLog", store.WorkLogsByID,
		one("grid", store.GridsByID, func(o *store.WorkLog) int64 { return o.GridID }),
		one("cadre", store.RelatedCadres, func(o *store.WorkLog) int64 { return o.CadreID })),
	object("DutyShift", store.DutyShiftsByID,
		computed("state", func(_ context.Context, o *store.DutyShift, _ args) (model.DutyShiftState, error) {
			return enum[model.DutyShiftState](o.State()), nil
		}),
		one("cadre", store.RelatedCadres, func(o *store.DutyShift) int64 { return o.CadreID }),
		one("facility", store.FacilitiesByID, func(o *store.DutyShift) int64 { return o.FacilityID }),
		one("community", store.CommunitiesByID, func(o *store.DutyShift) int64 { return o.CommunityID })),
	// A mediation room's member is null when the member record is out of the caller's scope:
	// the room belongs to a community, the member record to the grid the member lives in.
	object("MediationRoomMember", store.MediationRoomMembersByID,
		one("member", store.MembersByID, func(o *store.MediationRoomMember) int64 { return o.MemberID }),
		one("facility", store.FacilitiesByID, func(o *store.MediationRoomMember) int64 { return o.FacilityID }),
		one("community", store.CommunitiesByID, func(o *store.MediationRoomMember) int64 { return o.CommunityID })),

	object("SocialOrganisation", store.SocialOrganisationsByID,
		opt("street", store.StreetsByID, func(o *store.SocialOrganisation) *int64 { return o.StreetID }),
		byKey("ventureProjects", store.ProjectsOfOrganisations, func(o *store.SocialOrganisation, _ args) (int64, error) { return o.ID, nil }),
		from("partyOrganisation", store.PartyOrgsOf, func(o *store.SocialOrganisation, _ args) (int64, error) { return o.ID, nil },
			func(ps []*store.SocialPartyOrganisation) *store.SocialPartyOrganisation {
				if len(ps) == 0 || ps[0].DissolvedOn != nil {
					return nil
				}
				return ps[0] // current first
			}),
		byKey("history", store.OrgHistory, func(o *store.SocialOrganisation, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("SocialPartyOrganisation", store.PartyOrgsByID,
		one("socialOrganisation", store.SocialOrganisationsByID, func(o *store.SocialPartyOrganisation) int64 { return o.SocialOrganisationID }),
		byKey("history", store.PartyOrgHistory, func(o *store.SocialPartyOrganisation, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("VentureProject", store.VentureProjectsByID,
		one("socialOrganisation", store.SocialOrganisationsByID, func(o *store.VentureProject) int64 { return o.SocialOrganisationID }),
		one("community", store.CommunitiesByID, func(o *store.VentureProject) int64 { return o.CommunityID }),
		byKey("history", store.ProjectHistory, func(o *store.VentureProject, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("VolunteerTeam", store.TeamsByID,
		opt("unit", store.UnitsByID, func(o *store.VolunteerTeam) *int64 { return o.UnitID }),
		opt("socialOrganisation", store.SocialOrganisationsByID, func(o *store.VolunteerTeam) *int64 { return o.SocialOrganisationID }),
		opt("street", store.StreetsByID, func(o *store.VolunteerTeam) *int64 { return o.StreetID }),
		byKey("volunteerCount", store.TeamSizes, func(o *store.VolunteerTeam, _ args) (int64, error) { return o.ID, nil }),
		own("volunteers", func(ctx context.Context, o *store.VolunteerTeam, a args) (*model.VolunteerConnection, error) {
			return volunteerConn(ctx, store.VolunteerFilter{TeamID: &o.ID}, a.page(ctx))
		})),
	object("Volunteer", store.VolunteersByID,
		one("person", store.RelatedPeople, func(o *store.Volunteer) int64 { return o.PersonID }),
		opt("team", store.TeamsByID, func(o *store.Volunteer) *int64 { return o.TeamID }),
		one("community", store.CommunitiesByID, func(o *store.Volunteer) int64 { return o.CommunityID }),
		opt("grid", store.GridsByID, func(o *store.Volunteer) *int64 { return o.GridID })),
	object("Pairing", store.PairingsByID,
		one("unit", store.UnitsByID, func(o *store.Pairing) int64 { return o.UnitID }),
		one("community", store.CommunitiesByID, func(o *store.Pairing) int64 { return o.CommunityID }),
		opt("practiceStation", store.FacilitiesByID, func(o *store.Pairing) *int64 { return o.FacilityID })),
	object("Activity", store.ActivitiesByID,
		one("street", store.StreetsByID, func(o *store.Activity) int64 { return o.StreetID }),
		opt("community", store.CommunitiesByID, func(o *store.Activity) *int64 { return o.CommunityID }),
		opt("grid", store.GridsByID, func(o *store.Activity) *int64 { return o.GridID }),
		opt("intersection", store.IntersectionsByID, func(o *store.Activity) *int64 { return o.IntersectionID }),
		opt("organiserUnit", store.UnitsByID, func(o *store.Activity) *int64 { return o.OrganiserUnitID }),
		opt("team", store.TeamsByID, func(o *store.Activity) *int64 { return o.TeamID }),
		opt("socialOrganisation", store.SocialOrganisationsByID, func(o *store.Activity) *int64 { return o.SocialOrganisationID }),
		opt("ventureProject", store.VentureProjectsByID, func(o *store.Activity) *int64 { return o.VentureProjectID }),
		byKey("participants", store.ParticipantsOf, activityID),
		from("participantCount", store.ParticipantsOf, activityID, func(ps []*store.ActivityParticipant) int { return len(ps) }),
		from("totalHours", store.ParticipantsOf, activityID, func(ps []*store.ActivityParticipant) float64 {
			sum := 0.0
			for _, p := range ps {
				sum += p.Hours
			}
			return sum
		})),
	object("ActivityParticipant", store.ParticipantsByID,
		one("activity", store.ActivitiesByID, func(o *store.ActivityParticipant) int64 { return o.ActivityID }),
		one("person", store.RelatedPeople, func(o *store.ActivityParticipant) int64 { return o.PersonID })),
	object("JointMeeting", store.MeetingsByID,
		one("community", store.CommunitiesByID, func(o *store.JointMeeting) int64 { return o.CommunityID }),
		computed("agenda", func(_ context.Context, o *store.JointMeeting, _ args) ([]string, error) { return o.Agenda(), nil }),
		byKey("namedAttendees", store.AttendeesOf, func(o *store.JointMeeting, _ args) (int64, error) { return o.ID, nil }),
		byKey("matters", store.MattersOf, func(o *store.JointMeeting, _ args) (int64, error) { return o.ID, nil }),
		byKey("history", store.MeetingEvents, func(o *store.JointMeeting, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("MeetingAttendee", nil,
		opt("person", store.RelatedPeople, func(o *store.MeetingAttendee) *int64 { return &o.PersonID }),
		opt("unit", store.UnitsByID, func(o *store.MeetingAttendee) *int64 { return o.UnitID }),
		computed("attended", func(_ context.Context, o *store.MeetingAttendee, _ args) (*bool, error) { return o.Attended(), nil })),
	object("MeetingEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.MeetingEvent) *int64 { return o.ActorID })),
	object[store.MeetingCompliance]("MeetingCompliance", nil),
	object("CommunityMeetingCompliance", nil,
		one("community", store.CommunitiesByID, func(o *store.CommunityCompliance) int64 { return o.CommunityID })),
	object("MeetingMatter", store.MattersByID,
		one("meeting", store.MeetingsByID, func(o *store.MeetingMatter) int64 { return o.MeetingID }),
		opt("issue", store.IssuesByID, func(o *store.MeetingMatter) *int64 { return o.IssueID }),
		computed("allowedOutcomes", func(_ context.Context, o *store.MeetingMatter, _ args) ([]model.MatterOutcome, error) {
			out := []model.MatterOutcome{}
			for _, to := range model.AllMatterOutcome {
				if workflow.NextOutcome(workflow.MatterKind(o.Kind), workflow.MatterOutcome(o.Outcome), workflow.MatterOutcome(stored(to))) == nil {
					out = append(out, to)
				}
			}
			return out, nil
		}),
		byKey("history", store.MatterEvents, func(o *store.MeetingMatter, a args) (store.EventsKey, error) { return lastOf(o.ID, a) })),
	object("MatterEvent", nil,
		opt("actor", store.RelatedPeople, func(o *store.MatterEvent) *int64 { return o.ActorID }),
		heldAs[store.MatterEvent]("fromOutcome", "FromState"),
		heldAs[store.MatterEvent]("toOutcome", "ToState")),

	object("AuditRecord", store.AuditRecordsByID,
		opt("actor", store.RelatedPeople, func(o *store.AuditRecord) *int64 { return o.PersonID }),
		computed("actorId", func(_ context.Context, o *store.AuditRecord, _ args) (*string, error) {
			if o.PersonID == nil {
				return nil, nil
			}
			id := GlobalID("Person", *o.PersonID)
			return &id, nil
		}),
		computed("targetId", func(_ context.Context, o *store.AuditRecord, _ args) (*string, error) {
			typ, ok := tableTypes[o.TargetTable]
			if !ok {
				return nil, nil
			}
			id := GlobalID(typ, o.TargetID)
			return &id, nil
		}),
		computed("targetRowId", func(_ context.Context, o *store.AuditRecord, _ args) (string, error) {
			return strconv.FormatInt(o.TargetID, 10), nil
		})),
	object("PersonalDataRead", nil,
		opt("reader", store.RelatedPeople, func(o *store.PersonalDataRead) *int64 { return o.ReaderID }),
		computed("readerId", func(_ context.Context, o *store.PersonalDataRead, _ args) (*string, error) {
			if o.ReaderID == nil {
				return nil, nil
			}
			id := GlobalID("Person", *o.ReaderID)
			return &id, nil
		}),
		opt("person", store.RelatedPeople, func(o *store.PersonalDataRead) *int64 { return &o.PersonID }),
		computed("personId", func(_ context.Context, o *store.PersonalDataRead, _ args) (string, error) {
			return GlobalID("Person", o.PersonID), nil
		}),
		computed("fields", func(_ context.Context, o *store.PersonalDataRead, _ args) ([]string, error) { return o.Fields(), nil })),
}

// current reads a list's current argument (true when not given).
func current(a args) bool {
	var c *bool
	_ = a.into("current", &c)
	return c == nil || *c
}

// lastOf is the key of the last N entries of a history, N from the field's last argument.
func lastOf(id int64, a args) (store.EventsKey, error) {
	n, err := eventCount(a.int("last"))
	return store.EventsKey{ID: id, Last: n}, err
}

// ledgerKey is the key of a member's ledger as the field's arguments ask for it.
func ledgerKey(o *store.PartyMember, a args) (store.LedgerKey, error) {
	n, err := eventCount(a.int("last"))
	if err != nil {
		return store.LedgerKey{}, err
	}
	k := store.LedgerKey{MemberID: o.ID, Last: n}
	var served *model.DateRange
	if err := a.into("served", &served); err != nil {
		return k, err
	}
	if served != nil && served.From != nil {
		k.From = *served.From
	}
	if served != nil && served.To != nil {
		k.To = *served.To
	}
	return k, nil
}

func activityID(o *store.Activity, _ args) (int64, error) { return o.ID, nil }

// noticeSubject gives the id a unit notice of kind is about, nil for a notice of another kind.
func noticeSubject(kind string) func(*store.UnitNotice) *int64 {
	return func(o *store.UnitNotice) *int64 {
		if o.Kind != kind {
			return nil
		}
		return &o.SubjectID
	}
}
