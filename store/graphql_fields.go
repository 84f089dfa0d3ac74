// GraphQL fields bound straight to store rows (graph/gqlgen.yml, fieldName). gqlgen runs every
// field that has a resolver, or a method taking a context, in a goroutine of its own, per row;
// these fields are context-free methods instead, so they are resolved inline. They are the
// fields that need nothing from the request: global ids, enums, flags computed from the row.
// Anything that depends on the caller (masking of personal fields, loaders, scope) stays a
// resolver in package resolvers.

package store

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gridgov/gid"
)

// Enum is a stored enum value ("in_progress") that marshals as its GraphQL enum value
// ("IN_PROGRESS"), as resolvers' enum() does. It implements gqlgen's Marshaler and Unmarshaler
// (only io is needed for that), so an output field of any GraphQL enum type can be bound to a
// method returning Enum or *Enum; inputs keep the generated model enums, which validate.
type Enum string

// MarshalGQL writes the value upper-cased as a JSON string.
func (e Enum) MarshalGQL(w io.Writer) {
	var buf [64]byte
	w.Write(e.AppendGQL(buf[:0])) //nolint:errcheck
}

// AppendGQL appends the value as MarshalGQL writes it: a plain value (letters, digits, _)
// upper-cased in quotes, anything else upper-cased and quoted the general way.
func (e Enum) AppendGQL(b []byte) []byte {
	start := len(b)
	b = append(b, '"')
	for i := 0; i < len(e); i++ {
		c := e[i]
		switch {
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		default:
			return strconv.AppendQuote(b[:start], strings.ToUpper(string(e)))
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// UnmarshalGQL reads a GraphQL enum value as its stored form.
func (e *Enum) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enums must be strings")
	}
	*e = Enum(strings.ToLower(s))
	return nil
}

// OverdueNow is Overdue at the time of the request (the GraphQL field overdue).
func (o *Issue) OverdueNow() bool { return o.Overdue(time.Now()) }

// ActorGlobalID is the global id of the person who acted (the GraphQL field actorId).
func (o *AuditRecord) ActorGlobalID() *string {
	if o.PersonID == nil {
		return nil
	}
	id := gid.Encode("Person", *o.PersonID)
	return &id
}

// TargetRowIDString is the changed row's id in its table (the GraphQL field targetRowId).
func (o *AuditRecord) TargetRowIDString() string { return strconv.FormatInt(o.TargetID, 10) }

// GlobalID is the Activity's global id (the GraphQL field id).
func (o *Activity) GlobalID() string { return gid.Encode("Activity", o.ID) }

// KindEnum is Kind as the GraphQL enum ActivityKind (field kind).
func (o *Activity) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the ActivityParticipant's global id (the GraphQL field id).
func (o *ActivityParticipant) GlobalID() string { return gid.Encode("ActivityParticipant", o.ID) }

// RoleEnum is Role as the GraphQL enum ParticipantRole (field role).
func (o *ActivityParticipant) RoleEnum() Enum { return Enum(o.Role) }

// GlobalID is the AuditRecord's global id (the GraphQL field id).
func (o *AuditRecord) GlobalID() string { return gid.Encode("AuditRecord", o.ID) }

// ActionEnum is Action as the GraphQL enum AuditAction (field action).
func (o *AuditRecord) ActionEnum() Enum { return Enum(o.Action) }

// GlobalID is the Building's global id (the GraphQL field id).
func (o *Building) GlobalID() string { return gid.Encode("Building", o.ID) }

// GlobalID is the BuildingAppointment's global id (the GraphQL field id).
func (o *BuildingAppointment) GlobalID() string { return gid.Encode("BuildingAppointment", o.ID) }

// RoleEnum is Role as the GraphQL enum BuildingRole (field role).
func (o *BuildingAppointment) RoleEnum() Enum { return Enum(o.Role) }

// GlobalID is the Cadre's global id (the GraphQL field id).
func (o *Cadre) GlobalID() string { return gid.Encode("Cadre", o.ID) }

// KindEnum is Kind as the GraphQL enum CadreKind (field kind).
func (o *Cadre) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the Checkin's global id (the GraphQL field id).
func (o *Checkin) GlobalID() string { return gid.Encode("Checkin", o.ID) }

// StateEnum is State as the GraphQL enum CheckinState (field state).
func (o *Checkin) StateEnum() Enum { return Enum(o.State) }

// GlobalID is the City's global id (the GraphQL field id).
func (o *City) GlobalID() string { return gid.Encode("City", o.ID) }

// GlobalID is the Community's global id (the GraphQL field id).
func (o *Community) GlobalID() string { return gid.Encode("Community", o.ID) }

// GlobalID is the Compound's global id (the GraphQL field id).
func (o *Compound) GlobalID() string { return gid.Encode("Compound", o.ID) }

// GlobalID is the Facility's global id (the GraphQL field id).
func (o *Facility) GlobalID() string { return gid.Encode("Facility", o.ID) }

// KindEnum is Kind as the GraphQL enum FacilityKind (field kind).
func (o *Facility) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the GovernanceInstructor's global id (the GraphQL field id).
func (o *GovernanceInstructor) GlobalID() string { return gid.Encode("GovernanceInstructor", o.ID) }

// GlobalID is the Grid's global id (the GraphQL field id).
func (o *Grid) GlobalID() string { return gid.Encode("Grid", o.ID) }

// GlobalID is the GridAssignment's global id (the GraphQL field id).
func (o *GridAssignment) GlobalID() string { return gid.Encode("GridAssignment", o.ID) }

// RoleEnum is Role as the GraphQL enum GridRole (field role).
func (o *GridAssignment) RoleEnum() Enum { return Enum(o.Role) }

// GlobalID is the Intersection's global id (the GraphQL field id).
func (o *Intersection) GlobalID() string { return gid.Encode("Intersection", o.ID) }

// GlobalID is the Issue's global id (the GraphQL field id).
func (o *Issue) GlobalID() string { return gid.Encode("Issue", o.ID) }

// StateEnum is State as the GraphQL enum IssueState (field state).
func (o *Issue) StateEnum() Enum { return Enum(o.State) }

// ReporterRoleEnum is ReporterRole as the GraphQL enum ReporterRole (field reporterRole).
func (o *Issue) ReporterRoleEnum() Enum { return Enum(o.ReporterRole) }

// HandlerKindEnum is HandlerKind as the GraphQL enum HandlerKind (field handlerKind); nil stays null.
func (o *Issue) HandlerKindEnum() *Enum { return (*Enum)(o.HandlerKind) }

// EscalationLevelEnum is EscalationLevel as the GraphQL enum EscalationLevel (field escalationLevel); nil stays null.
func (o *Issue) EscalationLevelEnum() *Enum { return (*Enum)(o.EscalationLevel) }

// DisputeOutcomeEnum is DisputeOutcome as the GraphQL enum DisputeOutcome (field disputeOutcome); nil stays null.
func (o *Issue) DisputeOutcomeEnum() *Enum { return (*Enum)(o.DisputeOutcome) }

// GlobalID is the IssueCategory's global id (the GraphQL field id).
func (o *IssueCategory) GlobalID() string { return gid.Encode("IssueCategory", o.ID) }

// GroupEnum is Group as the GraphQL enum IssueCategoryGroup (field group).
func (o *IssueCategory) GroupEnum() Enum { return Enum(o.Group) }

// ActionEnum is Action as the GraphQL enum IssueAction (field action).
func (o *IssueEvent) ActionEnum() Enum { return Enum(o.Action) }

// FromStateEnum is FromState as the GraphQL enum IssueState (field fromState); nil stays null.
func (o *IssueEvent) FromStateEnum() *Enum { return (*Enum)(o.FromState) }

// ToStateEnum is ToState as the GraphQL enum IssueState (field toState).
func (o *IssueEvent) ToStateEnum() Enum { return Enum(o.ToState) }

// RoleEnum is Role as the GraphQL enum MediatorRole (field role).
func (o *IssueMediator) RoleEnum() Enum { return Enum(o.Role) }

// GlobalID is the JointMeeting's global id (the GraphQL field id).
func (o *JointMeeting) GlobalID() string { return gid.Encode("JointMeeting", o.ID) }

// GlobalID is the MeetingMatter's global id (the GraphQL field id).
func (o *MeetingMatter) GlobalID() string { return gid.Encode("MeetingMatter", o.ID) }

// KindEnum is Kind as the GraphQL enum MatterKind (field kind).
func (o *MeetingMatter) KindEnum() Enum { return Enum(o.Kind) }

// OutcomeEnum is Outcome as the GraphQL enum MatterOutcome (field outcome).
func (o *MeetingMatter) OutcomeEnum() Enum { return Enum(o.Outcome) }

// ActionEnum is Action as the GraphQL enum OrderAction (field action).
func (o *OrderEvent) ActionEnum() Enum { return Enum(o.Action) }

// FromStateEnum is FromState as the GraphQL enum OrderState (field fromState); nil stays null.
func (o *OrderEvent) FromStateEnum() *Enum { return (*Enum)(o.FromState) }

// ToStateEnum is ToState as the GraphQL enum OrderState (field toState).
func (o *OrderEvent) ToStateEnum() Enum { return Enum(o.ToState) }

// GlobalID is the Pairing's global id (the GraphQL field id).
func (o *Pairing) GlobalID() string { return gid.Encode("Pairing", o.ID) }

// KindEnum is Kind as the GraphQL enum PairingKind (field kind).
func (o *Pairing) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the Partner's global id (the GraphQL field id).
func (o *Partner) GlobalID() string { return gid.Encode("Partner", o.ID) }

// KindEnum is Kind as the GraphQL enum PartnerKind (field kind).
func (o *Partner) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the PartyMember's global id (the GraphQL field id).
func (o *PartyMember) GlobalID() string { return gid.Encode("PartyMember", o.ID) }

// GlobalID is the Person's global id (the GraphQL field id).
func (o *Person) GlobalID() string { return gid.Encode("Person", o.ID) }

// GenderEnum is Gender as the GraphQL enum Gender (field gender); nil stays null.
func (o *Person) GenderEnum() *Enum { return (*Enum)(o.Gender) }

// GlobalID is the RedSteward's global id (the GraphQL field id).
func (o *RedSteward) GlobalID() string { return gid.Encode("RedSteward", o.ID) }

// GlobalID is the ServiceCategory's global id (the GraphQL field id).
func (o *ServiceCategory) GlobalID() string { return gid.Encode("ServiceCategory", o.ID) }

// GlobalID is the ServiceOrder's global id (the GraphQL field id).
func (o *ServiceOrder) GlobalID() string { return gid.Encode("ServiceOrder", o.ID) }

// StateEnum is State as the GraphQL enum OrderState (field state).
func (o *ServiceOrder) StateEnum() Enum { return Enum(o.State) }

// GlobalID is the ServiceRecord's global id (the GraphQL field id).
func (o *ServiceRecord) GlobalID() string { return gid.Encode("ServiceRecord", o.ID) }

// GlobalID is the SocialOrganisation's global id (the GraphQL field id).
func (o *SocialOrganisation) GlobalID() string { return gid.Encode("SocialOrganisation", o.ID) }

// GlobalID is the Street's global id (the GraphQL field id).
func (o *Street) GlobalID() string { return gid.Encode("Street", o.ID) }

// KindEnum is Kind as the GraphQL enum StreetKind (field kind).
func (o *Street) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the Unit's global id (the GraphQL field id).
func (o *Unit) GlobalID() string { return gid.Encode("Unit", o.ID) }

// KindEnum is Kind as the GraphQL enum UnitKind (field kind).
func (o *Unit) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the VentureProject's global id (the GraphQL field id).
func (o *VentureProject) GlobalID() string { return gid.Encode("VentureProject", o.ID) }

// ThemeEnum is Theme as the GraphQL enum VentureTheme (field theme).
func (o *VentureProject) ThemeEnum() Enum { return Enum(o.Theme) }

// GlobalID is the Volunteer's global id (the GraphQL field id).
func (o *Volunteer) GlobalID() string { return gid.Encode("Volunteer", o.ID) }

// GlobalID is the VolunteerTeam's global id (the GraphQL field id).
func (o *VolunteerTeam) GlobalID() string { return gid.Encode("VolunteerTeam", o.ID) }

// TeamTypeEnum is TeamType as the GraphQL enum TeamType (field teamType).
func (o *VolunteerTeam) TeamTypeEnum() Enum { return Enum(o.TeamType) }

// GlobalID is the WorkLog's global id (the GraphQL field id).
func (o *WorkLog) GlobalID() string { return gid.Encode("WorkLog", o.ID) }

// KindEnum is Kind as the GraphQL enum WorkKind (field kind).
func (o *WorkLog) KindEnum() Enum { return Enum(o.Kind) }

// GlobalID is the YearRating's global id (the GraphQL field id).
func (o *YearRating) GlobalID() string { return gid.Encode("YearRating", o.ID) }

// GradeEnum is Grade as the GraphQL enum RatingGrade (field grade).
func (o *YearRating) GradeEnum() Enum { return Enum(o.Grade) }
