// gridgov dashboard: reads POST /graphql with the leader's token (sessionStorage) and draws
// every indicator group of the token's scope, with drill-down to the places below it, labels
// in Chinese or English (localStorage), an export of the view and a print view for A4.
"use strict";

const TOKEN_KEY = "gridgov.token";
const LANG_KEY = "gridgov.lang";

// The indicators, in two documents: one would exceed the server's limit of fields a document
// may hold. Their answers are merged.
const QUERIES = [
  `query Dashboard($scope: ID!, $period: PeriodInput!) { indicators(scope: $scope, period: $period) { asOf scope { id name level } period { from to } checkins { expected checkedIn rate } volunteers { registered police teams { teamType teams volunteers } } issues { reported resolved closed resolutionRate medianHoursToClose p90HoursToClose overdue dueSoon resolvedOnTime resolvedLate onTimeRate urged supervised extended autoEscalated verdictsSatisfied verdictsUnsatisfied verdictsNoResponse verdictsByResident verdictsByPhone satisfactionRate averageVerdictScore resolvedInPeriod reopened reopens reopenRate disputes disputesMediated disputesMediatedByCadres byCategory { category name nameZh reported resolved } byGroup { group reported resolved } } orders { posted claimed completed medianHoursToClaim averageRating } coverage { grids gridsWithCadre gridsWithInstructor gridsWithLeader gridWorkerPosts buildings buildingsWithLeader } breakdown { scope { id name level } checkins { checkedIn rate } issues { reported resolved overdue resolvedOnTime resolvedLate verdictsSatisfied verdictsUnsatisfied resolvedInPeriod reopened } } unassigned { checkins { expected checkedIn } issues { reported resolved overdue resolvedOnTime resolvedLate verdictsSatisfied verdictsUnsatisfied resolvedInPeriod reopened } } trend { month issuesReported issuesResolved issuesResolvedOnTime issuesResolvedLate verdictsUnsatisfied issuesReopened ordersCompleted patrols policeDutyHours } } }`,
  `query DashboardGroups($scope: ID!, $period: PeriodInput!) { indicators(scope: $scope, period: $period) { checkins { withdrawn transferred reverificationDue byUnit { unit { id name } expected checkedIn rate } } volunteers { teamCount } orders { rated declined released late serviceHours { year quarter records hours } ratings { good fair average poor } ratingsByUnit { unit { id name } ratings { good fair average poor } } ratingStages { draft submitted approved notified acknowledged appealed } } activities { kind events personTimes peopleServed } workLogs { kind entries peopleServed hours } jointMeetings { meetings matters mattersDiscussed disputesJointlyMediated quarters { quarter communities communitiesMet share } } organisation { communities communitiesWithPartyOrg gridInstructors liaisonCadres residentRecords buildingLeaders ownerRepresentatives marketManagedCompounds justiceMediators redStewards governanceInstructors partners { kind partners } pairedCivilisedUnits socialOrgPartyOrgs ventureProjects serviceCategories } patrols { patrols findings findingsRaised } policeDuties { duties participations hours byKind { kind duties participations hours } } } }`,
];

// Labels: [Chinese, English].
const T = {
  appTitle: ["网格治理指标", "Grid governance indicators"], crumbs: ["下钻路径", "Drill-down path"], period: ["统计期", "Period"],
  periodKind: ["统计期类型", "Period kind"], year: ["年", "Year"], quarter: ["季度", "Quarter"], month: ["月", "Month"], range: ["日期范围", "Range"],
  from: ["起", "From"], to: ["止", "To"], show: ["查看", "Show"], asOf: ["数据截至", "Data as of"], tools: ["工具", "Tools"],
  exportKind: ["导出报表", "Report to export"], exportFormat: ["文件格式", "File format"], export: ["导出", "Export"], print: ["打印", "Print"],
  reportMonthly: ["月报", "Monthly report"], reportLedger: ["季度公布（网格服务台账）", "Quarterly service ledger (grid)"],
  reportScorecard: ["单位成绩单", "Unit scorecard"], signOut: ["退出", "Sign out"], signIn: ["登录", "Sign in"],
  signInHelp: ["粘贴领导的令牌（由 gridgov token 生成），仅保存在本浏览器标签页中。", "Paste a leader's token (from gridgov token). It stays in this browser tab only."],
  token: ["令牌", "Token"], hoursUnit: ["小时", "h"], periodIs: ["统计期", "Period"], headline: ["主要指标", "Headline indicators"], city: ["全市", "City"], myScope: ["本辖区", "My scope"],
  byPlace: ["按下级地区", "By place"], trend: ["逐月趋势", "Month by month"], checkins: ["党员报到", "Party members' check-in"],
  checkinsByUnit: ["各单位报到", "Check-in by unit"], volunteers: ["志愿者", "Volunteers"], teams: ["志愿服务队类型", "Volunteers by team type"],
  issues: ["问题办理", "Issues"], byCategory: ["问题类别", "Issues by category"], byGroup: ["问题大类", "Issues by category group"],
  orders: ["群众点单", "Service orders"], serviceHours: ["服务台账（季度）", "Service ledger by quarter"], ratings: ["年终考核", "Year-end ratings"],
  ratingStages: ["考核流程", "Ratings by stage"], ratingsByUnit: ["各单位考核", "Ratings by unit"], coverage: ["网格与楼栋覆盖", "Grid and building coverage"],
  activities: ["活动", "Activities"], workLogs: ["网格工作纪实", "Grid work log"], jointMeetings: ["党建联席会", "Joint meetings"],
  meetingQuarters: ["联席会季度召开率", "Quarterly joint-meeting compliance"], organisation: ["组织体系", "Organisation"], partners: ["七联共建", "Co-building partners"],
  patrols: ["红色小管家巡查", "Red stewards' patrols"], policeDuties: ["义警勤务", "Volunteer-police duties"], policeByKind: ["义警勤务类型", "Volunteer-police duties by kind"],
  place: ["地区", "Place"], checkedIn: ["已报到", "Checked in"], checkinRate: ["报到率", "Check-in rate"], reported: ["反映问题", "Issues reported"],
  resolved: ["已解决", "Resolved"], onTimeRate: ["按期办结率", "On-time rate"], overdue: ["超期", "Overdue"], satisfactionRate: ["满意率", "Satisfaction rate"],
  reopenRate: ["重办率", "Reopen rate"], placesBelow: ["下级地区", "Places below"], noPlacesBelow: ["网格以下无下级地区", "No places below a grid"],
  unassigned: ["未归属下级地区", "Not tied to a place below"], noUnit: ["未知单位", "No known unit"],
  notAtGrid: ["网格无此项（按社区统计）", "Not kept at grid scope (kept per community)"], none: ["无", "None"],
  exportRange: ["日期范围不能导出：请选择年、季度或月。", "A range of days cannot be exported: choose a year, quarter or month."],
  exportFailed: ["导出失败", "Export failed"], noServer: ["服务器无应答：", "The server does not answer: "],
  badToken: ["这不是 gridgov 令牌。", "That does not look like a gridgov token."],
  WAREHOUSE_UNAVAILABLE: ["数据仓库暂不可用，请稍后再试。", "The warehouse is unavailable right now; try again shortly."],
  FORBIDDEN: ["此令牌无权查看该地区。", "This token may not see that place."],
  UNAUTHENTICATED: ["令牌无效或已过期，请重新登录。", "The token is invalid or expired: sign in again."],
  // Figures and series.
  expected: ["应报到党员", "Members expected"], withdrawn: ["已撤回", "Withdrawn"], transferred: ["已转接", "Transferred away"],
  reverificationDue: ["待年度复核", "Due for re-verification"], registered: ["注册志愿者", "Registered volunteers"], police: ["义警", "Volunteer police"],
  teamCount: ["志愿服务队", "Volunteer teams"], teamsN: ["支队伍", "teams"], closed: ["已销号", "Closed out"], resolutionRate: ["解决率", "Resolution rate"],
  timeToClose: ["销号用时（中位）", "Time to close (median)"], p90: ["销号用时（90%）", "Time to close (p90)"], dueSoon: ["临期预警", "Due soon"],
  onTime: ["按期办结", "Resolved on time"], late: ["逾期办结", "Resolved late"], urged: ["催办", "Urged"], supervised: ["督办", "Supervised"],
  extended: ["延期", "Extended"], autoEscalated: ["超期自动上报", "Auto-escalated"], verdicts: ["满意度回访", "Verdicts"],
  satisfied: ["满意", "Satisfied"], unsatisfied: ["不满意", "Unsatisfied"], noResponse: ["回访无应答", "No response"],
  byResident: ["本人评价", "By the resident"], byPhone: ["电话回访", "By phone"], verdictScore: ["回访评分", "Verdict score"],
  reopened: ["重办", "Reopened"], reopens: ["重办次数", "Reopenings"], disputes: ["矛盾纠纷", "Disputes"], disputesMediated: ["调解成功", "Disputes mediated"],
  mediatedByCadres: ["干部参与调解", "Mediated with a cadre"], posted: ["群众点单", "Orders posted"], claimed: ["党员接单", "Claimed"],
  completed: ["已完成", "Completed"], rated: ["已评价", "Rated"], declined: ["网格退回", "Declined"], released: ["退回需求清单", "Released"],
  lateOrders: ["超时", "Late"], timeToClaim: ["接单用时（中位）", "Time to claim (median)"], rating: ["群众评分", "Average rating"],
  records: ["服务记录", "Records"], hours: ["服务时长（小时）", "Hours"], good: ["好", "Good"], fair: ["较好", "Fair"], average: ["一般", "Average"], poor: ["差", "Poor"],
  draft: ["社区填写中", "Draft"], submitted: ["待审批", "Submitted"], approved: ["已审批", "Approved"], notified: ["已通报单位", "Unit notified"],
  acknowledged: ["单位已确认", "Acknowledged"], appealed: ["申诉中", "Appealed"], grids: ["网格", "Grids"], gridsWithCadre: ["有包联干部的网格", "Grids with a liaison cadre"],
  gridsWithInstructor: ["有党建指导员的网格", "Grids with an instructor"], gridsWithLeader: ["有网格长的网格", "Grids with a grid leader"],
  gridWorkerPosts: ["网格员", "Grid workers"], buildings: ["楼栋", "Buildings"], buildingsWithLeader: ["有楼栋长的楼栋", "Buildings with a leader"],
  events: ["活动场次", "Events"], personTimes: ["参与人次", "Person-times"], peopleServed: ["服务群众", "People served"], entries: ["纪实条数", "Entries"],
  meetings: ["召开次数", "Meetings held"], matters: ["议题", "Matters"], mattersDiscussed: ["共议重大事项", "Major matters discussed"],
  jointlyMediated: ["联合调解", "Disputes jointly mediated"], communitiesMet: ["召开联席会的社区", "Communities that met"],
  share: ["召开率 %", "Share that met %"], communities: ["社区", "Communities"], communitiesWithPartyOrg: ["有党组织的社区", "Communities with a party organisation"],
  gridInstructors: ["网格党建指导员", "Grid instructors"], liaisonCadres: ["包联干部", "Liaison cadres"], residentRecords: ["居民信息采集", "Resident records"],
  buildingLeaders: ["楼栋长", "Building leaders"], ownerRepresentatives: ["业主代表", "Owner representatives"],
  marketManagedCompounds: ["市场化物业小区", "Market-managed compounds"], justiceMediators: ["政法系统党员调解员", "Justice-system mediators"],
  redStewards: ["红色小管家", "Red stewards"], governanceInstructors: ["基层治理指导员", "Governance instructors"],
  pairedCivilisedUnits: ["结对文明单位", "Paired civilised units"], socialOrgPartyOrgs: ["建立党组织的社会组织", "Social organisations with a party organisation"],
  ventureProjects: ["公益创投项目", "Venture projects"], serviceCategories: ["项目清单类别", "Service categories"], partnersN: ["共建人员", "Partners"],
  patrolsN: ["巡查次数", "Patrols"], findings: ["发现问题", "Findings"], findingsRaised: ["转为问题登记", "Raised as issues"],
  duties: ["勤务次数", "Duties"], participations: ["参与人次", "Participations"], dutyHours: ["勤务时长（小时）", "Hours served"],
  checkinRatePct: ["报到率 %", "Check-in rate %"], ordersCompleted: ["完成点单", "Orders completed"], volunteers2: ["志愿者人数", "Volunteers"],
  membersOf: ["名党员中", "members, of"], of: ["共", "of"],
};

// Codes the API answers, with their labels.
const CODES = {
  municipal_agency: ["市直机关", "Municipal agencies"], social_organisation: ["社会组织", "Social organisations"], town_street: ["镇街", "Towns and streets"],
  none: ["未入队（不在任何志愿服务队）", "No team (volunteers in no team)"],
  themed_party_day: ["主题党日", "Themed party day"], legal_publicity: ["普法宣传", "Legal publicity"], micro_classroom: ["微课堂", "Micro-classroom"],
  intersection_duty: ["路口执勤", "Intersection duty"], vaccination_drive: ["疫苗接种动员", "Vaccination drive"], co_building_service: ["共建服务", "Co-building service"],
  micro_welfare: ["微公益", "Micro-welfare"], volunteer_service: ["志愿服务", "Volunteer service"],
  patrol: ["巡查", "Patrol"], frontline_service: ["一线服务", "Frontline service"], policy_consultation: ["政策咨询", "Policy consultation"],
  convenience_service: ["便民服务", "Convenience service"], resident_visit: ["入户走访", "Resident visit"], environment_cleanup: ["环境整治", "Environment clean-up"],
  dispute_mediation: ["矛盾调解", "Dispute mediation"],
  community_police: ["片警", "Community police"], community_doctor: ["社区医生", "Community doctors"], property_staff: ["物业人员", "Property staff"],
  paired_unit_staff: ["联点共建单位", "Paired units' staff"],
  police_patrol: ["义警巡逻", "Volunteer-police patrol"], police_traffic: ["交通疏导", "Traffic duty"],
  old_compound: ["老旧小区", "Old compounds"], infrastructure: ["基础设施", "Infrastructure"], dispute: ["矛盾纠纷", "Disputes"],
  environment: ["环境卫生", "Environment"], safety: ["安全隐患", "Safety"], public_service: ["公共服务", "Public services"], suggestion: ["意见建议", "Suggestions"],
};

const $ = (id) => document.getElementById(id);
// path: the drill-down from the token's scope; last and view: the indicators shown and the
// scope and period they are of.
const state = { token: null, path: [], charts: {}, last: null, view: null, lang: "zh" };
const L = () => (state.lang === "en" ? 1 : 0);
const t = (key) => (T[key] ? T[key][L()] : key);
const code = (c) => (CODES[c] ? CODES[c][L()] : String(c || "").replace(/_/g, " "));

const fmt = new Intl.NumberFormat("zh-CN");
const pct = (x) => (x == null ? "—" : (100 * x).toFixed(1) + "%");
const num = (x) => (x == null ? "—" : fmt.format(x));
const hours = (x) => (x == null ? "—" : x.toFixed(1) + " " + t("hoursUnit"));
const score = (x) => (x == null ? "—" : x.toFixed(2));
// n of n + m, or null when both are 0: the on-time rate (按期办结率) of on-time and late counts,
// the satisfaction rate (满意率) of satisfied and unsatisfied verdicts.
const share = (n, m) => (n + m > 0 ? n / (n + m) : null);
// The reopen rate (重办率) of the issues resolved and, of them, reopened: null when none resolved.
const reopenRate = (resolved, reopened) => (resolved > 0 ? reopened / resolved : null);
const here = () => state.path[state.path.length - 1];

// The token's claims, without verifying them: the server does that on every request. The
// page uses the scope only to start from it.
function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch (e) {
    return null;
  }
}

function showError(message) {
  const el = $("error");
  el.textContent = message;
  el.hidden = !message;
}

function signIn(token) {
  const c = claims(token);
  if (!c || !c.scope) {
    showError(t("badToken"));
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.token = token;
  state.path = [{ id: c.scope, name: t(c.scope === "city" ? "city" : "myScope"), level: "" }];
  $("signin").hidden = true;
  $("signout").hidden = false;
  showError("");
  load();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

function period() {
  const kind = $("kind").value;
  const p = { kind, year: Number($("year").value) };
  if (kind === "MONTH") p.month = Number($("month").value);
  if (kind === "QUARTER") p.quarter = Number($("quarter").value);
  if (kind === "RANGE") return { kind, from: $("from").value, to: $("to").value };
  return p;
}

function syncPeriodInputs() {
  const kind = $("kind").value;
  $("year").hidden = kind === "RANGE";
  $("quarter").hidden = kind !== "QUARTER";
  $("month").hidden = kind !== "MONTH";
  $("from").hidden = $("to").hidden = kind !== "RANGE";
}

async function ask(query, variables) {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + state.token },
    body: JSON.stringify({ query, variables }),
  });
  if (res.status === 401) sessionStorage.removeItem(TOKEN_KEY);
  return res.json();
}

async function load() {
  const variables = { scope: here().id, period: period() };
  let bodies;
  try {
    bodies = await Promise.all(QUERIES.map((q) => ask(q, variables)));
  } catch (e) {
    showError(t("noServer") + e.message);
    return;
  }
  const failed = bodies.find((b) => b.errors && b.errors.length);
  if (failed) {
    const e = failed.errors[0];
    const c = (e.extensions && e.extensions.code) || "";
    showError(T[c] ? t(c) : e.message);
    if (c === "UNAUTHENTICATED") $("signin").hidden = false;
    return;
  }
  showError("");
  // The second answer's groups complete the first's.
  const ind = bodies[0].data.indicators;
  for (const [k, v] of Object.entries(bodies[1].data.indicators)) {
    ind[k] = typeof v === "object" && !Array.isArray(v) && ind[k] ? { ...ind[k], ...v } : v;
  }
  state.last = ind;
  state.view = variables;
  render(ind);
}

function render(ind) {
  Object.assign(here(), ind.scope);
  $("board").hidden = false;
  $("asof").textContent = new Date(ind.asOf).toLocaleString(L() ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai" });
  $("asof").dateTime = ind.asOf;
  $("title").textContent = ind.scope.name;
  $("period-span").textContent = ind.period.from + " – " + ind.period.to;
  renderCrumbs();
  renderKpis(ind);
  renderFigures(ind);
  renderTable(ind);
  renderCharts(ind);
  syncExport();
  document.dispatchEvent(new CustomEvent("gridgov:indicators", { detail: { scope: ind.scope, period: period(), token: state.token } }));
}

// A headline figure: key names it for tests and styles (data-kpi).
function kpi(key, labelText, value, sub) {
  const d = document.createElement("div");
  d.className = "kpi";
  d.dataset.kpi = key;
  const l = document.createElement("div");
  l.className = "label";
  l.textContent = labelText;
  const v = document.createElement("div");
  v.className = "value";
  v.textContent = value;
  d.append(l, v);
  if (sub) {
    const s = document.createElement("div");
    s.className = "sub";
    s.textContent = sub;
    d.append(s);
  }
  return d;
}

function renderKpis(ind) {
  const c = ind.checkins, v = ind.volunteers, i = ind.issues, o = ind.orders, cov = ind.coverage;
  $("kpis").replaceChildren(
    kpi("checkinRate", t("checkinRate"), pct(c.rate), `${t("checkedIn")} ${num(c.checkedIn)} / ${t("expected")} ${num(c.expected)}`),
    kpi("volunteers", t("registered"), num(v.registered), `${t("police")} ${num(v.police)}`),
    kpi("reported", t("reported"), num(i.reported), `${t("resolved")} ${num(i.resolved)} · ${t("closed")} ${num(i.closed)}`),
    kpi("resolutionRate", t("resolutionRate"), pct(i.resolutionRate), `${t("overdue")} ${num(i.overdue)}`),
    kpi("timeToClose", t("timeToClose"), hours(i.medianHoursToClose), `${t("p90")} ${hours(i.p90HoursToClose)}`),
    kpi("onTimeRate", t("onTimeRate"), pct(i.onTimeRate), `${t("onTime")} ${num(i.resolvedOnTime)} · ${t("late")} ${num(i.resolvedLate)}`),
    kpi("overdue", t("overdue"), num(i.overdue), `${t("late")} ${num(i.resolvedLate)}`),
    kpi("dueSoon", t("dueSoon"), num(i.dueSoon)),
    kpi("urged", t("urged"), num(i.urged)),
    kpi("supervised", t("supervised"), num(i.supervised)),
    kpi("extended", t("extended"), num(i.extended)),
    kpi("autoEscalated", t("autoEscalated"), num(i.autoEscalated)),
    kpi("satisfactionRate", t("satisfactionRate"), pct(i.satisfactionRate),
      `${t("satisfied")} ${num(i.verdictsSatisfied)} · ${t("unsatisfied")} ${num(i.verdictsUnsatisfied)}`),
    kpi("verdicts", t("verdicts"), num(i.verdictsSatisfied + i.verdictsUnsatisfied),
      `${t("byResident")} ${num(i.verdictsByResident)} · ${t("byPhone")} ${num(i.verdictsByPhone)} · ${t("noResponse")} ${num(i.verdictsNoResponse)}`),
    kpi("verdictScore", t("verdictScore"), score(i.averageVerdictScore), "1–5"),
    kpi("reopenRate", t("reopenRate"), pct(i.reopenRate),
      `${t("reopened")} ${num(i.reopened)} / ${t("resolved")} ${num(i.resolvedInPeriod)} · ${t("reopens")} ${num(i.reopens)}`),
    kpi("disputesMediated", t("disputesMediated"), num(i.disputesMediated)),
    kpi("ordersCompleted", t("ordersCompleted"), num(o.completed), `${t("posted")} ${num(o.posted)} · ${t("claimed")} ${num(o.claimed)}`),
    kpi("timeToClaim", t("timeToClaim"), hours(o.medianHoursToClaim), `${t("rating")} ${score(o.averageRating)}`),
    kpi("gridsWithCadre", t("gridsWithCadre"), num(cov.gridsWithCadre), `${t("grids")} ${num(cov.grids)}`),
    kpi("buildingsWithLeader", t("buildingsWithLeader"), num(cov.buildingsWithLeader), `${t("buildings")} ${num(cov.buildings)}`),
  );
}

// fill writes a definition list of [label key, value] pairs.
function fill(id, pairs) {
  const dl = $(id);
  dl.replaceChildren();
  for (const [key, value] of pairs) {
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

function renderFigures(ind) {
  const c = ind.checkins, v = ind.volunteers, i = ind.issues, o = ind.orders, cov = ind.coverage;
  fill("fig-checkins", [["expected", num(c.expected)], ["checkedIn", num(c.checkedIn)], ["checkinRate", pct(c.rate)],
    ["withdrawn", num(c.withdrawn)], ["transferred", num(c.transferred)], ["reverificationDue", num(c.reverificationDue)]]);
  fill("fig-volunteers", [["registered", num(v.registered)], ["police", num(v.police)], ["teamCount", num(v.teamCount)]]);
  fill("fig-issues", [["reported", num(i.reported)], ["resolved", num(i.resolved)], ["closed", num(i.closed)],
    ["noResponse", num(i.verdictsNoResponse)], ["disputes", num(i.disputes)], ["disputesMediated", num(i.disputesMediated)],
    ["mediatedByCadres", num(i.disputesMediatedByCadres)]]);
  fill("fig-orders", [["posted", num(o.posted)], ["claimed", num(o.claimed)], ["completed", num(o.completed)], ["rated", num(o.rated)],
    ["declined", num(o.declined)], ["released", num(o.released)], ["lateOrders", num(o.late)], ["rating", score(o.averageRating)]]);
  fill("fig-coverage", [["grids", num(cov.grids)], ["gridsWithCadre", num(cov.gridsWithCadre)], ["gridsWithInstructor", num(cov.gridsWithInstructor)],
    ["gridsWithLeader", num(cov.gridsWithLeader)], ["gridWorkerPosts", num(cov.gridWorkerPosts)], ["buildings", num(cov.buildings)],
    ["buildingsWithLeader", num(cov.buildingsWithLeader)]]);
  const m = ind.jointMeetings;
  fill("fig-meetings", [["meetings", num(m.meetings)], ["matters", num(m.matters)], ["mattersDiscussed", num(m.mattersDiscussed)],
    ["jointlyMediated", num(m.disputesJointlyMediated)]]);
  const g = ind.organisation;
  fill("fig-organisation", ["communities", "communitiesWithPartyOrg", "gridInstructors", "liaisonCadres", "residentRecords", "buildingLeaders",
    "ownerRepresentatives", "marketManagedCompounds", "justiceMediators", "redStewards", "governanceInstructors", "pairedCivilisedUnits",
    "socialOrgPartyOrgs", "ventureProjects", "serviceCategories"].map((k) => [k, num(g[k])]));
  fill("fig-patrols", [["patrolsN", num(ind.patrols.patrols)], ["findings", num(ind.patrols.findings)], ["findingsRaised", num(ind.patrols.findingsRaised)]]);
  const p = ind.policeDuties;
  fill("fig-police", [["duties", num(p.duties)], ["participations", num(p.participations)], ["dutyHours", num(p.hours)]]);
}

function renderCrumbs() {
  const nav = $("crumbs");
  nav.replaceChildren();
  state.path.forEach((p, i) => {
    if (i > 0) {
      const s = document.createElement("span");
      s.className = "sep";
      s.textContent = "›";
      s.setAttribute("aria-hidden", "true");
      nav.append(s);
    }
    const last = i === state.path.length - 1;
    const el = document.createElement(last ? "span" : "button");
    el.className = "name";
    el.textContent = p.name;
    if (last) {
      el.setAttribute("aria-current", "page");
    } else {
      el.type = "button";
      el.classList.add("link");
      el.addEventListener("click", () => {
        state.path = state.path.slice(0, i + 1);
        load();
      });
    }
    nav.append(el);
  });
}

function drill(scope) {
  state.path.push({ id: scope.id, name: scope.name, level: scope.level });
  load();
}

// row writes one line of the places table: cells after the first are figures.
function row(first, ch, is) {
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  td.append(first);
  tr.append(td);
  const rate = ch.rate != null ? ch.rate : ch.expected > 0 ? ch.checkedIn / ch.expected : null;
  for (const c of [num(ch.checkedIn), pct(rate), num(is.reported), num(is.resolved), pct(share(is.resolvedOnTime, is.resolvedLate)),
    num(is.overdue), pct(share(is.verdictsSatisfied, is.verdictsUnsatisfied)), pct(reopenRate(is.resolvedInPeriod, is.reopened))]) {
    const cell = document.createElement("td");
    cell.textContent = c;
    tr.append(cell);
  }
  return tr;
}

function renderTable(ind) {
  const body = $("breakdown").querySelector("tbody");
  body.replaceChildren();
  $("breakdown-title").textContent = ind.breakdown.length ? t("placesBelow") : t("noPlacesBelow");
  for (const b of ind.breakdown) {
    // The place's name is a button: the row drills down by keyboard as by mouse.
    const name = document.createElement("button");
    name.type = "button";
    name.className = "link name";
    name.textContent = b.scope.name;
    name.addEventListener("click", (e) => {
      e.stopPropagation();
      drill(b.scope);
    });
    const tr = row(name, b.checkins, b.issues);
    tr.className = "drill";
    tr.addEventListener("click", () => drill(b.scope));
    body.append(tr);
  }
  const foot = $("breakdown").querySelector("tfoot");
  foot.replaceChildren();
  if (ind.breakdown.length) foot.append(row(t("unassigned"), ind.unassigned.checkins, ind.unassigned.issues));
}

function chart(id) {
  if (typeof echarts === "undefined") return null;
  if (!state.charts[id]) {
    const el = $(id);
    el.setAttribute("role", "img");
    state.charts[id] = echarts.init(el, null, { renderer: "canvas" });
  }
  const el = $(id);
  el.setAttribute("aria-label", el.closest("section").querySelector("h3").textContent);
  return state.charts[id];
}

// draw sets a chart's option; series are [label key, values, extra] and the category axis
// (id "places" or "months" when its labels are data, not labels) is horizontal unless flip.
function bars(id, categories, series, opts = {}) {
  const c = chart(id);
  if (!c) return;
  const cat = { type: "category", id: opts.axis || "labels", data: categories, axisLabel: { rotate: !opts.flip && categories.length > 6 ? 35 : 0 } };
  if (opts.flip) cat.inverse = true;
  const val = opts.values || { type: "value" };
  c.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
    xAxis: opts.flip ? val : cat,
    yAxis: opts.flip ? cat : val,
    series: series.map(([key, data, extra]) => ({ name: t(key), type: opts.line ? "line" : "bar", stack: opts.stack, data, ...extra })),
  }, true);
  return c;
}

function pie(id, items) {
  const c = chart(id);
  if (!c) return;
  c.setOption({
    animation: false,
    tooltip: { trigger: "item" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ name: $(id).getAttribute("aria-label"), type: "pie", radius: ["30%", "60%"], center: ["50%", "45%"], data: items }],
  }, true);
}

const unitName = (u) => u.name || t("noUnit");

function renderCharts(ind) {
  const places = ind.breakdown.map((b) => b.scope.name);
  const c1 = bars("chart-breakdown", places, [["reported", ind.breakdown.map((b) => b.issues.reported)],
    ["resolved", ind.breakdown.map((b) => b.issues.resolved)],
    ["checkinRatePct", ind.breakdown.map((b) => +(100 * b.checkins.rate).toFixed(1)), { type: "line", yAxisIndex: 1 }]],
  { axis: "places", values: [{ type: "value", name: t("reported") }, { type: "value", name: t("checkinRatePct"), max: 100 }] });
  if (c1) {
    c1.off("click");
    c1.on("click", (p) => {
      const b = ind.breakdown[p.dataIndex];
      if (b) drill(b.scope);
    });
  }
  const tr = ind.trend;
  bars("chart-trend", tr.map((x) => x.month), [["reported", tr.map((x) => x.issuesReported)], ["resolved", tr.map((x) => x.issuesResolved)],
    ["onTime", tr.map((x) => x.issuesResolvedOnTime)], ["late", tr.map((x) => x.issuesResolvedLate)], ["unsatisfied", tr.map((x) => x.verdictsUnsatisfied)],
    ["reopened", tr.map((x) => x.issuesReopened)], ["ordersCompleted", tr.map((x) => x.ordersCompleted)], ["patrolsN", tr.map((x) => x.patrols)],
    ["dutyHours", tr.map((x) => x.policeDutyHours)]], { axis: "months", line: true });
  const units = ind.checkins.byUnit.slice(0, 12);
  bars("chart-units", units.map((u) => unitName(u.unit)), [["expected", units.map((u) => u.expected)], ["checkedIn", units.map((u) => u.checkedIn)]],
    { axis: "places", flip: true });
  pie("chart-teams", ind.volunteers.teams.map((x) => ({ name: `${code(x.teamType)} (${num(x.teams)} ${t("teamsN")})`, value: x.volunteers })));
  const cats = ind.issues.byCategory.slice(0, 12);
  bars("chart-categories", cats.map((c) => (L() ? c.name : c.nameZh)), [["reported", cats.map((c) => c.reported)], ["resolved", cats.map((c) => c.resolved)]],
    { flip: true });
  const groups = ind.issues.byGroup;
  bars("chart-groups", groups.map((g) => code(g.group)), [["reported", groups.map((g) => g.reported)], ["resolved", groups.map((g) => g.resolved)]], { flip: true });
  const sh = ind.orders.serviceHours;
  bars("chart-hours", sh.map((q) => `${q.year} Q${q.quarter}`), [["hours", sh.map((q) => q.hours)], ["records", sh.map((q) => q.records)]], { axis: "months" });
  renderRatings(ind.orders);
  const acts = ind.activities;
  bars("chart-activities", acts.map((a) => code(a.kind)), [["events", acts.map((a) => a.events)], ["personTimes", acts.map((a) => a.personTimes)],
    ["peopleServed", acts.map((a) => a.peopleServed)]]);
  const logs = ind.workLogs;
  bars("chart-worklogs", logs.map((w) => code(w.kind)), [["entries", logs.map((w) => w.entries)], ["peopleServed", logs.map((w) => w.peopleServed)],
    ["hours", logs.map((w) => w.hours)]]);
  const qs = ind.jointMeetings.quarters;
  bars("chart-meetings", qs.map((q) => q.quarter), [["share", qs.map((q) => (q.share == null ? null : +(100 * q.share).toFixed(1)))],
    ["communitiesMet", qs.map((q) => q.communitiesMet), { yAxisIndex: 1 }], ["communities", qs.map((q) => q.communities), { yAxisIndex: 1 }]],
  { axis: "months", values: [{ type: "value", name: "%", max: 100 }, { type: "value", name: t("communities") }] });
  const ps = ind.organisation.partners;
  bars("chart-partners", ps.map((p) => code(p.kind)), [["partnersN", ps.map((p) => p.partners)]], { flip: true });
  const pk = ind.policeDuties.byKind;
  bars("chart-police", pk.map((k) => code(k.kind)), [["duties", pk.map((k) => k.duties)], ["participations", pk.map((k) => k.participations)],
    ["dutyHours", pk.map((k) => k.hours)]]);
}

// Year-end ratings are kept per community: at grid scope the API answers null, said in the chart.
function renderRatings(o) {
  const grades = ["good", "fair", "average", "poor"];
  if (o.ratings) {
    pie("chart-ratings", grades.map((g) => ({ name: t(g), value: o.ratings[g] })));
  } else {
    pie("chart-ratings", [{ name: t("notAtGrid"), value: 0 }]);
  }
  const stages = ["draft", "submitted", "approved", "notified", "acknowledged", "appealed"];
  const st = o.ratingStages;
  bars("chart-stages", stages.map(t), [[st ? "ratings" : "notAtGrid", stages.map((s) => (st ? st[s] : 0))]]);
  const units = o.ratingsByUnit.slice(0, 10);
  bars("chart-unit-ratings", units.map((u) => unitName(u.unit)), grades.map((g) => [g, units.map((u) => u.ratings[g])]),
    { axis: "places", flip: true, stack: "ratings" });
}

// Language: every label of the page and its charts, Chinese by default.
function applyLang() {
  const en = state.lang === "en";
  document.documentElement.lang = en ? "en" : "zh-CN";
  document.title = t("appTitle");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
  const b = $("lang");
  b.textContent = en ? "中文" : "English";
  b.lang = en ? "zh-CN" : "en";
  b.setAttribute("aria-label", en ? "用中文显示标签" : "Show labels in English");
  if (state.path.length && !state.path[0].level) state.path[0].name = t(state.path[0].id === "city" ? "city" : "myScope");
  if (state.last) render(state.last);
}

function toggleLang() {
  state.lang = state.lang === "en" ? "zh" : "en";
  localStorage.setItem(LANG_KEY, state.lang);
  applyLang();
}

// The export contract of /reports/export: period as YYYY, YYYY-Qn or YYYY-MM; a range of
// days has no report.
function exportPeriod(p) {
  if (p.kind === "YEAR") return String(p.year);
  if (p.kind === "QUARTER") return `${p.year}-Q${p.quarter}`;
  if (p.kind === "MONTH") return `${p.year}-${String(p.month).padStart(2, "0")}`;
  return null;
}

// The view shown (its scope and period) as a request for the report kind and format chosen.
function exportURL() {
  const per = state.view && exportPeriod(state.view.period);
  if (!per) return null;
  const q = new URLSearchParams({ kind: $("export-kind").value, scope: state.view.scope, period: per, format: $("export-format").value });
  return "/reports/export?" + q.toString();
}

// The service ledger is a grid's: offered at grid scope only.
function syncExport() {
  const ledger = $("export-kind").querySelector("option[value=ledger]");
  ledger.disabled = here() && here().level !== "GRID";
  if (ledger.disabled && ledger.selected) $("export-kind").value = "monthly";
}

// The file name the server gives (Content-Disposition), else one made of the request.
function fileName(res, url) {
  const cd = res.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  if (plain) return plain[1];
  const q = new URL(url, location.href).searchParams;
  return `gridgov-${q.get("kind")}-${q.get("period")}.${q.get("format")}`;
}

async function exportView() {
  const url = exportURL();
  if (!url) {
    showError(t("exportRange"));
    return;
  }
  let res;
  try {
    res = await fetch(url, { headers: { Authorization: "Bearer " + state.token } });
  } catch (e) {
    showError(t("noServer") + e.message);
    return;
  }
  if (!res.ok) {
    showError(`${t("exportFailed")} (${res.status})`);
    return;
  }
  showError("");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await res.blob());
  a.download = fileName(res, url);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

// Print: the charts take the sizes the print style sheet gives them (--print-chart-*), so
// they fit an A4 page; back on screen they fill their panels again.
function fitCharts(print) {
  const css = getComputedStyle(document.documentElement);
  const px = (name) => parseFloat(css.getPropertyValue(name));
  for (const [id, c] of Object.entries(state.charts)) {
    const wide = $(id).closest(".wide") != null;
    c.resize(print ? { width: px(wide ? "--print-wide-width" : "--print-chart-width"), height: px("--print-chart-height") } : undefined);
  }
}

function init() {
  state.lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  const now = new Date();
  $("year").value = now.getFullYear();
  const months = $("month");
  for (let m = 1; m <= 12; m++) {
    const o = document.createElement("option");
    o.value = m;
    o.textContent = m;
    months.append(o);
  }
  months.value = now.getMonth() + 1;
  $("quarter").value = Math.floor(now.getMonth() / 3) + 1;
  $("from").value = now.getFullYear() + "-01-01";
  $("to").value = now.toISOString().slice(0, 10);
  syncPeriodInputs();
  applyLang();
  $("kind").addEventListener("change", syncPeriodInputs);
  $("period").addEventListener("submit", (e) => {
    e.preventDefault();
    if (state.token) load();
  });
  $("signin-button").addEventListener("click", () => signIn($("token").value.trim()));
  $("signout").addEventListener("click", signOut);
  $("lang").addEventListener("click", toggleLang);
  $("export").addEventListener("click", exportView);
  $("print").addEventListener("click", () => window.print());
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  window.addEventListener("beforeprint", () => fitCharts(true));
  window.addEventListener("afterprint", () => fitCharts(false));
  matchMedia("print").addEventListener("change", (e) => fitCharts(e.matches));
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    signIn(saved);
  } else {
    $("signin").hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", init);
