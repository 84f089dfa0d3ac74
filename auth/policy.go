package auth

import (
	"context"
	"slices"
)

// Rule says who may read a Query field or call a Mutation field, and how the rows they get
// are narrowed. Rows are always narrowed by the caller's scope (Narrow), inside SQL; Rows
// says, for the reader of this table, what that means for the field.
type Rule struct {
	Roles []string
	Rows  string
}

// Role groups used by the policy.
var (
	cadres     = []string{"city_admin", "street_cadre", "community_cadre"}
	placeRead  = []string{"city_admin", "leader", "street_cadre", "community_cadre", "grid_worker"}
	gridHandle = []string{"city_admin", "street_cadre", "community_cadre", "grid_worker"}
	anyData    = []string{"city_admin", "leader", "street_cadre", "community_cadre", "grid_worker", "party_member", "unit_admin", "resident"}
)

func with(base []string, more ...string) []string { return append(slices.Clone(base), more...) }

// Policy is the one table of who may do what through GraphQL: every Query and Mutation field
// has an entry (a test walks the schema to prove it), and a field without one is refused.
// The statistician is in no entry: warehouse analytics only.
var Policy = map[string]Rule{
	// Places are not personal: every role sees the places of its scope (a grid scope keeps
	// the community and street it lies in; a unit admin's scope is the whole city).
	"Query.node":          {anyData, "the node's table, narrowed as for its list; out of scope is NOT_FOUND"},
	"Query.streets":       {anyData, "places at and above the scope"},
	"Query.communities":   {anyData, "places at and above the scope"},
	"Query.grids":         {anyData, "places at and above the scope"},
	"Query.buildings":     {anyData, "places at and below the scope"},
	"Query.compounds":     {placeRead, "places at and below the scope"},
	"Query.facilities":    {placeRead, "places at and below the scope"},
	"Query.intersections": {placeRead, "places at and below the scope"},

	// Questions asked of the map (geo.graphqls).
	"Query.gridAt":          {anyData, "a grid of the scope"},
	"Query.nearestFacility": {placeRead, "facilities at and below the scope"},

	"Query.units":         {with(placeRead, "unit_admin", "party_member"), "city-wide; a unit admin's own unit; a party member's employer"},
	"Query.partyMembers":  {with(placeRead, "unit_admin", "party_member"), "living at or below the scope; a unit admin's unit's members; a party member's own record"},
	"Query.checkins":      {with(placeRead, "unit_admin", "party_member"), "at or below the scope; of a unit admin's members; a party member's own"},
	"Query.unitScorecard": {with(cadres, "leader", "unit_admin"), "units' members living at or below the scope; a unit admin's own unit's"},
	"Query.unitNotices":   {[]string{"city_admin", "unit_admin"}, "city-wide; a unit admin's own unit's"},
	"Query.gridRoster":    {placeRead, "a grid at or below the scope"},
	"Query.gridLedger":    {placeRead, "a grid at or below the scope"},

	"Query.issues":          {with(placeRead, "resident"), "at or below the scope; a resident's own reports"},
	"Query.issueCategories": {anyData, "reference data"},
	"Query.monthlyReview":   {with(cadres, "leader"), "a community at or below the scope"},
	"Query.workCalendar":    {anyData, "reference data"},
	"Query.indicators":      {with(cadres, "leader", "grid_worker"), "aggregates of the scope or a place inside it; FORBIDDEN elsewhere"},

	"Query.generatedReports": {with(cadres, "leader", "grid_worker"), "reports of places at or below the scope"},

	"Query.serviceOrders":     {with(placeRead, "party_member", "resident"), "at or below the scope; a party member's grid's demand list and own orders; a resident's own orders"},
	"Query.serviceCategories": {anyData, "reference data"},

	// Webhook endpoints are the city's: registered and read by city admins.
	"Query.webhookEndpoints":         {[]string{"city_admin"}, "the city's webhook endpoints"},
	"Query.webhookDeliveries":        {[]string{"city_admin"}, "an endpoint's delivery log"},
	"Mutation.registerWebhook":       {[]string{"city_admin"}, "the city's webhook endpoints"},
	"Mutation.rotateWebhookSecret":   {[]string{"city_admin"}, "the city's webhook endpoints"},
	"Mutation.enableWebhook":         {[]string{"city_admin"}, "the city's webhook endpoints"},
	"Mutation.deleteWebhookEndpoint": {[]string{"city_admin"}, "the city's webhook endpoints"},

	// Subscriptions send what the matching list would read: each event's object is read
	// within the subscriber's scope, as node(id:) reads it.
	"Subscription.issueChanged":        {with(placeRead, "resident"), "as Query.issues"},
	"Subscription.serviceOrderChanged": {with(placeRead, "party_member", "resident"), "as Query.serviceOrders"},
	"Subscription.checkinChanged":      {with(placeRead, "unit_admin", "party_member"), "as Query.checkins"},

	"Query.socialOrganisations":   {placeRead, "city-wide directory"},
	"Query.ventureProjects":       {placeRead, "at or below the scope"},
	"Query.volunteerTeams":        {placeRead, "city-wide directory; volunteer counts within the scope"},
	"Query.volunteers":            {placeRead, "at or below the scope"},
	"Query.pairings":              {placeRead, "at or below the scope"},
	"Query.activities":            {placeRead, "at or below the scope"},
	"Query.jointMeetings":         {placeRead, "at or below the scope"},
	"Query.meetingCompliance":     {with(cadres, "leader"), "the communities at or below the scope"},
	"Query.cadres":                {placeRead, "at or below the scope"},
	"Query.redStewards":           {placeRead, "at or below the scope"},
	"Query.governanceInstructors": {placeRead, "at or below the scope"},
	"Query.partners":              {placeRead, "at or below the scope"},
	"Query.workLogs":              {placeRead, "at or below the scope"},
	"Query.residents":             {placeRead, "living at or below the scope; personal fields through person, masked as for Person"},
	"Query.dutyShifts":            {placeRead, "at or below the scope (a grid scope sees its community's)"},
	"Query.mediationRoomMembers":  {placeRead, "at or below the scope (a grid scope sees its community's)"},

	"Query.patrols":                  {with(placeRead, "party_member"), "at or below the scope; a red steward's own patrols"},
	"Query.socialPartyOrganisations": {placeRead, "city-wide directory"},
	"Query.noticeOfBuilding":         {with(placeRead, "party_member", "resident"), "a building at or below the scope; a resident's or party member's own building"},
	"Query.conventionOfBuilding":     {with(placeRead, "party_member", "resident"), "a building at or below the scope; a resident's or party member's own building"},

	"Query.gridAssignments": {placeRead, "at or below the scope"},

	"Query.auditRecords":      {[]string{"city_admin"}, "everything"},
	"Query.personalDataReads": {[]string{"city_admin"}, "everything"},

	// Workflows change at and below the scope of the cadre; a grid worker reports, handles
	// and logs in their grid; a party member claims and completes orders of their grid and
	// checks in; a resident reports issues, posts and rates their own orders. Leaders and
	// unit admins change nothing.
	"Mutation.registerCheckin":        {with(cadres, "party_member"), "a member at or below the scope; a party member's own record"},
	"Mutation.verifyCheckin":          {cadres, "a check-in at or below the scope"},
	"Mutation.rejectCheckin":          {cadres, "a check-in at or below the scope"},
	"Mutation.withdrawCheckin":        {with(cadres, "party_member"), "a check-in at or below the scope; a party member's own"},
	"Mutation.transferCheckin":        {with(cadres, "party_member"), "a check-in at or below the scope, or a party member's own, to any community of the city (city-wide directory)"},
	"Mutation.reverifyCheckin":        {cadres, "a check-in at or below the scope"},
	"Mutation.appointBuildingRole":    {cadres, "a building at or below the scope"},
	"Mutation.endBuildingAppointment": {cadres, "an appointment at or below the scope"},
	// The year-end rating (年终考核): a cadre drafts and submits it, a level above the rater
	// approves it and decides an appeal, a cadre tells the unit, the unit's admin acknowledges,
	// the member appeals their own.
	"Mutation.rateMember":         {cadres, "a checked-in member at or below the scope"},
	"Mutation.updateRating":       {cadres, "a draft rating at or below the scope"},
	"Mutation.submitRating":       {cadres, "a draft rating at or below the scope"},
	"Mutation.approveRating":      {[]string{"city_admin", "street_cadre"}, "a submitted rating at or below the scope, made at a level below the approver's"},
	"Mutation.notifyRatingUnit":   {cadres, "an approved rating at or below the scope"},
	"Mutation.acknowledgeRating":  {[]string{"unit_admin"}, "a notified rating of a member of the admin's unit"},
	"Mutation.appealRating":       {[]string{"party_member"}, "the party member's own notified or acknowledged rating"},
	"Mutation.decideRatingAppeal": {[]string{"city_admin", "street_cadre"}, "an appealed rating at or below the scope, made at a level below the decider's"},

	"Mutation.reportIssue":   {with(gridHandle, "resident"), "a grid at or below the scope"},
	"Mutation.acceptIssue":   {gridHandle, "an issue at or below the scope"},
	"Mutation.dispatchIssue": {gridHandle, "an issue at or below the scope"},
	"Mutation.startIssue":    {gridHandle, "an issue at or below the scope"},
	"Mutation.escalateIssue": {gridHandle, "an issue at or below the scope"},
	"Mutation.returnIssue":   {gridHandle, "an issue at or below the scope"},
	"Mutation.resolveIssue":  {gridHandle, "an issue at or below the scope"},
	"Mutation.closeIssue":    {cadres, "an issue at or below the scope"},
	"Mutation.reopenIssue":   {cadres, "an issue at or below the scope"},
	"Mutation.addMediator":   {gridHandle, "an issue at or below the scope"},
	// An extension is asked for below the city and decided a level above the asker's; the
	// community or street urges, the street or city supervises, the city keeps the calendar.
	"Mutation.requestIssueExtension":  {[]string{"street_cadre", "community_cadre", "grid_worker"}, "an issue at or below the scope"},
	"Mutation.decideIssueExtension":   {cadres, "an extension at or below the scope, asked for at a level below the decider's"},
	"Mutation.urgeIssue":              {cadres, "an issue at or below the scope"},
	"Mutation.superviseIssue":         {[]string{"city_admin", "street_cadre"}, "an issue at or below the scope"},
	"Mutation.confirmIssue":           {with(cadres, "resident"), "the resident's own resolved report; a cadre records one at or below the scope"},
	"Mutation.setWorkday":             {[]string{"city_admin"}, "the city's working calendar"},
	"Mutation.configureIssueCategory": {[]string{"city_admin"}, "the city's issue categories"},
	// Evidence (佐证): a handler of the place, the reporter of an issue, the member who served.
	"Mutation.attachEvidence": {with(gridHandle, "resident", "party_member"), "an issue or service record at or below the scope; a resident's own report; a party member's own service record"},
	"Mutation.removeEvidence": {with(gridHandle, "resident", "party_member"), "evidence the acting person attached, at or below the scope"},

	"Mutation.postOrder":     {with(gridHandle, "resident"), "a grid at or below the scope"},
	"Mutation.publishOrder":  {gridHandle, "an order at or below the scope"},
	"Mutation.claimOrder":    {[]string{"city_admin", "party_member"}, "a published order of the party member's grid"},
	"Mutation.completeOrder": {[]string{"city_admin", "party_member"}, "an order the party member claimed"},
	"Mutation.rateOrder":     {[]string{"city_admin", "resident"}, "the resident's own order"},
	"Mutation.cancelOrder":   {gridHandle, "an order at or below the scope"},
	"Mutation.declineOrder":  {gridHandle, "an order at or below the scope"},
	"Mutation.releaseOrder":  {with(gridHandle, "party_member"), "an order at or below the scope; an order the party member claimed"},
	"Mutation.reassignOrder": {gridHandle, "an order at or below the scope, to a member at or below the scope"},

	"Mutation.configureServiceCategory": {[]string{"city_admin"}, "the city's service categories"},

	"Mutation.createVolunteerTeam":     {cadres, "a team of a street in the scope"},
	"Mutation.updateVolunteerTeam":     {cadres, "a team of a street in the scope"},
	"Mutation.registerVolunteer":       {cadres, "a community at or below the scope"},
	"Mutation.recordActivity":          {cadres, "a place at or below the scope"},
	"Mutation.addActivityParticipants": {cadres, "an activity at or below the scope"},
	"Mutation.holdJointMeeting":        {cadres, "a community at or below the scope"},
	"Mutation.recordMeetingMatter":     {cadres, "a meeting at or below the scope"},
	"Mutation.setMatterOutcome":        {cadres, "a matter at or below the scope"},
	"Mutation.scheduleJointMeeting":    {cadres, "a community at or below the scope; attendees registered within it"},
	"Mutation.rescheduleJointMeeting":  {cadres, "a meeting at or below the scope"},
	"Mutation.cancelJointMeeting":      {cadres, "a meeting at or below the scope"},
	"Mutation.recordMeetingMinutes":    {cadres, "a meeting at or below the scope"},
	"Mutation.raiseMatterIssue":        {cadres, "a matter and a grid of its community at or below the scope"},
	"Mutation.pairUnit":                {cadres, "a community at or below the scope"},
	"Mutation.endPairing":              {cadres, "a pairing at or below the scope"},

	// Community registers: cadres keep them; a red steward (party member) logs their own
	// patrols; grid workers log patrols, raise findings and publish their buildings' notices.
	"Mutation.appointRedSteward":               {cadres, "a grid at or below the scope"},
	"Mutation.endRedSteward":                   {cadres, "a red steward at or below the scope"},
	"Mutation.logPatrol":                       {with(gridHandle, "party_member"), "a red steward at or below the scope; a party member's own appointment"},
	"Mutation.raisePatrolFinding":              {gridHandle, "a finding at or below the scope"},
	"Mutation.createSocialOrganisation":        {cadres, "a street in the scope; the city for one of no street"},
	"Mutation.updateSocialOrganisation":        {cadres, "an organisation of a street in the scope"},
	"Mutation.endSocialOrganisation":           {cadres, "an organisation of a street in the scope"},
	"Mutation.foundSocialPartyOrganisation":    {cadres, "an organisation of a street in the scope"},
	"Mutation.updateSocialPartyOrganisation":   {cadres, "of an organisation of a street in the scope"},
	"Mutation.dissolveSocialPartyOrganisation": {cadres, "of an organisation of a street in the scope"},
	"Mutation.createVentureProject":            {cadres, "a community at or below the scope, of an organisation of a street in the scope"},
	"Mutation.updateVentureProject":            {cadres, "a project at or below the scope"},
	"Mutation.endVentureProject":               {cadres, "a project at or below the scope"},
	"Mutation.publishBuildingNotice":           {gridHandle, "a building at or below the scope"},
	"Mutation.adoptBuildingConvention":         {gridHandle, "a building at or below the scope"},
	"Mutation.recordPoliceDuty":                {cadres, "a place at or below the scope; volunteers of the team serving there"},
	"Mutation.logGridWork":                     {gridHandle, "a grid at or below the scope"},

	// Registers of people on duty: cadres keep them for their place; a grid worker also
	// collects the residents' records of their grid.
	"Mutation.assignGridStaff":             {cadres, "a grid at or below the scope, a cadre of its street"},
	"Mutation.updateGridAssignment":        {cadres, "an assignment at or below the scope"},
	"Mutation.endGridAssignment":           {cadres, "an assignment at or below the scope"},
	"Mutation.appointGovernanceInstructor": {cadres, "a community at or below the scope"},
	"Mutation.updateGovernanceInstructor":  {cadres, "an instructor at or below the scope"},
	"Mutation.endGovernanceInstructor":     {cadres, "an instructor at or below the scope"},
	"Mutation.registerPartner":             {cadres, "a community at or below the scope"},
	"Mutation.updatePartner":               {cadres, "a partner at or below the scope"},
	"Mutation.endPartner":                  {cadres, "a partner at or below the scope"},
	"Mutation.scheduleDutyShift":           {cadres, "a service centre at or below the scope, a cadre of its community"},
	"Mutation.updateDutyShift":             {cadres, "a shift at or below the scope"},
	"Mutation.cancelDutyShift":             {cadres, "a shift at or below the scope"},
	"Mutation.registerResident":            {gridHandle, "a building at or below the scope"},
	"Mutation.updateResident":              {gridHandle, "a record at or below the scope"},
	"Mutation.moveOutResident":             {gridHandle, "a record at or below the scope"},
}

// Allowed reports whether role may read or call the root field object.field ("Query",
// "issues"). Introspection fields (__schema, __type, __typename) are always allowed; they
// carry no data and are switched off in production by the server.
func Allowed(role, object, field string) bool {
	if len(field) > 1 && field[:2] == "__" {
		return true
	}
	r, ok := Policy[object+"."+field]
	return ok && slices.Contains(r.Roles, role)
}

// AllowedCtx is Allowed for the acting role of ctx; an anonymous context is never allowed.
func AllowedCtx(ctx context.Context, object, field string) bool {
	a := ActorFrom(ctx)
	return a != nil && Allowed(a.Role, object, field)
}

// Personal data: phone, ID number and the exact address (below the building) are shown only
// to roles whose work needs them, and to the person themself. Leaders, unit admins,
// statisticians, party members and residents never see another person's.
var (
	phoneRoles    = []string{"city_admin", "street_cadre", "community_cadre", "grid_worker"}
	idNumberRoles = []string{"city_admin", "community_cadre"}
	addressRoles  = []string{"city_admin", "community_cadre", "grid_worker"}
)

// Personal field names, as PersonalVisible takes them.
const (
	Phone    = "phone"
	IDNumber = "idNumber"
	Address  = "address"
)

// PersonalVisible reports whether the caller of ctx may see field of person: the one place
// masking is decided. The person was read within the caller's scope, so a cadre sees the
// contact data of people of their street or community only.
func PersonalVisible(ctx context.Context, person int64, field string) bool {
	a := ActorFrom(ctx)
	if a == nil {
		return false
	}
	if a.PersonID != 0 && a.PersonID == person {
		return true
	}
	switch field {
	case Phone:
		return slices.Contains(phoneRoles, a.Role)
	case IDNumber:
		return slices.Contains(idNumberRoles, a.Role)
	case Address:
		return slices.Contains(addressRoles, a.Role)
	}
	return false
}

// locationRoles see where an issue was reported: the staff who go there. A leader reads
// lists and figures, not positions; other roles see the issues they reported only.
var locationRoles = []string{"city_admin", "street_cadre", "community_cadre", "grid_worker"}

// IssueLocationVisible reports whether the caller of ctx may see where an issue reported by
// reporter is (the issue was read within the caller's scope): its reporter and the staff of
// its scope may.
func IssueLocationVisible(ctx context.Context, reporter int64) bool {
	a := ActorFrom(ctx)
	if a == nil {
		return false
	}
	return a.PersonID != 0 && a.PersonID == reporter || slices.Contains(locationRoles, a.Role)
}
