// gridgov dashboard: reads POST /graphql with the leader's token (sessionStorage) and draws
// the indicators of the token's scope, with drill-down to the places below it.
"use strict";

const TOKEN_KEY = "gridgov.token";
const QUERY = `query Dashboard($scope: ID!, $period: PeriodInput!) { indicators(scope: $scope, period: $period) { asOf scope { id name level } checkins { expected checkedIn rate } volunteers { registered police teams { teamType teams volunteers } } issues { reported resolved closed resolutionRate medianHoursToClose p90HoursToClose overdue dueSoon resolvedOnTime resolvedLate onTimeRate urged supervised extended autoEscalated verdictsSatisfied verdictsUnsatisfied verdictsNoResponse verdictsByResident verdictsByPhone satisfactionRate averageVerdictScore resolvedInPeriod reopened reopens reopenRate disputesMediated byCategory { category reported resolved } } orders { posted claimed completed medianHoursToClaim averageRating } coverage { grids gridsWithCadre gridsWithInstructor buildings buildingsWithLeader } activities { kind events personTimes peopleServed } breakdown { scope { id name level } checkins { checkedIn rate } issues { reported resolved overdue resolvedOnTime resolvedLate verdictsSatisfied verdictsUnsatisfied resolvedInPeriod reopened } } trend { month issuesReported issuesResolved issuesResolvedOnTime issuesResolvedLate verdictsSatisfied verdictsUnsatisfied issuesReopened ordersCompleted } } }`;

const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat("zh-CN");
const pct = (x) => (x == null ? "—" : (100 * x).toFixed(1) + "%");
const num = (x) => (x == null ? "—" : fmt.format(x));
const hours = (x) => (x == null ? "—" : x.toFixed(1) + " h");
const label = (code) => String(code || "").replace(/_/g, " ");
// n of n + m, or null when both are 0: the on-time rate (按期办结率) of on-time and late counts,
// the satisfaction rate (满意率) of satisfied and unsatisfied verdicts.
const share = (n, m) => (n + m > 0 ? n / (n + m) : null);
// The reopen rate (重办率) of the issues resolved and, of them, reopened: null when none resolved.
const reopenRate = (resolved, reopened) => (resolved > 0 ? reopened / resolved : null);
const score = (x) => (x == null ? "—" : x.toFixed(2));

const state = { token: null, root: null, path: [], charts: {} };

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
    showError("That does not look like a gridgov token.");
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.token = token;
  state.root = { id: c.scope, name: c.scope === "city" ? "City" : "My scope", level: "" };
  state.path = [state.root];
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

async function load() {
  const scope = state.path[state.path.length - 1];
  let body;
  try {
    const res = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + state.token },
      body: JSON.stringify({ query: QUERY, variables: { scope: scope.id, period: period() } }),
    });
    body = await res.json();
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch (e) {
    showError("The server does not answer: " + e.message);
    return;
  }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    const code = (e.extensions && e.extensions.code) || "";
    const why = {
      WAREHOUSE_UNAVAILABLE: "The warehouse is unavailable right now; try again shortly.",
      FORBIDDEN: "This token may not see that place.",
      UNAUTHENTICATED: "The token is invalid or expired: sign in again.",
    }[code];
    showError(why || e.message);
    if (code === "UNAUTHENTICATED") {
      $("signin").hidden = false;
    }
    return;
  }
  showError("");
  render(body.data.indicators);
}

function kpi(labelText, value, sub) {
  const d = document.createElement("div");
  d.className = "kpi";
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

function render(ind) {
  const here = state.path[state.path.length - 1];
  Object.assign(here, ind.scope);
  $("board").hidden = false;
  $("asof").textContent = new Date(ind.asOf).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" });
  $("asof").dateTime = ind.asOf;
  $("title").textContent = ind.scope.name;
  renderCrumbs();

  const k = $("kpis");
  k.replaceChildren(
    kpi("报到率 Check-in rate", pct(ind.checkins.rate), num(ind.checkins.checkedIn) + " of " + num(ind.checkins.expected) + " members"),
    kpi("志愿者 Volunteers", num(ind.volunteers.registered), num(ind.volunteers.police) + " volunteer police"),
    kpi("问题 Issues reported", num(ind.issues.reported), num(ind.issues.resolved) + " resolved · " + num(ind.issues.closed) + " closed out"),
    kpi("解决率 Resolution rate", pct(ind.issues.resolutionRate), num(ind.issues.overdue) + " overdue"),
    kpi("销号用时 Time to close", hours(ind.issues.medianHoursToClose), "median · p90 " + hours(ind.issues.p90HoursToClose)),
    kpi("按期办结率 On-time rate", pct(ind.issues.onTimeRate),
      "按期 " + num(ind.issues.resolvedOnTime) + " on time · 逾期 " + num(ind.issues.resolvedLate) + " late"),
    kpi("超期未办结 Overdue", num(ind.issues.overdue), "逾期办结 " + num(ind.issues.resolvedLate) + " resolved late"),
    kpi("临期预警 Due soon", num(ind.issues.dueSoon), "warned, not yet due"),
    kpi("催办 Urged", num(ind.issues.urged), "issues urged"),
    kpi("督办 Supervised", num(ind.issues.supervised), "under supervision"),
    kpi("延期 Extended", num(ind.issues.extended), "due time extended"),
    kpi("超期自动上报 Auto-escalated", num(ind.issues.autoEscalated), "escalated when overdue"),
    kpi("满意率 Satisfaction rate", pct(ind.issues.satisfactionRate),
      "满意 " + num(ind.issues.verdictsSatisfied) + " satisfied · 不满意 " + num(ind.issues.verdictsUnsatisfied) + " unsatisfied"),
    kpi("满意度回访 Verdicts", num(ind.issues.verdictsSatisfied + ind.issues.verdictsUnsatisfied),
      "本人 " + num(ind.issues.verdictsByResident) + " by resident · 电话 " + num(ind.issues.verdictsByPhone) + " by phone · 无应答 " +
      num(ind.issues.verdictsNoResponse) + " no response"),
    kpi("回访评分 Verdict score", score(ind.issues.averageVerdictScore), "average of 1–5"),
    kpi("重办率 Reopen rate", pct(ind.issues.reopenRate),
      "重办 " + num(ind.issues.reopened) + " of " + num(ind.issues.resolvedInPeriod) + " resolved · " + num(ind.issues.reopens) + " reopenings"),
    kpi("调解 Disputes mediated", num(ind.issues.disputesMediated)),
    kpi("服务单 Orders completed", num(ind.orders.completed), num(ind.orders.posted) + " posted · " + num(ind.orders.claimed) + " claimed"),
    kpi("接单用时 Time to claim", hours(ind.orders.medianHoursToClaim), "rating " + (ind.orders.averageRating == null ? "—" : ind.orders.averageRating.toFixed(2))),
    kpi("网格 Grids with cadre", num(ind.coverage.gridsWithCadre), "of " + num(ind.coverage.grids) + " · " + num(ind.coverage.gridsWithInstructor) + " with instructor"),
    kpi("楼栋长 Buildings with leader", num(ind.coverage.buildingsWithLeader), "of " + num(ind.coverage.buildings)),
  );

  renderTable(ind);
  renderCharts(ind);
  document.dispatchEvent(new CustomEvent("gridgov:indicators", { detail: { scope: ind.scope, period: period(), token: state.token } }));
}

function renderCrumbs() {
  const nav = $("crumbs");
  nav.replaceChildren();
  state.path.forEach((p, i) => {
    if (i > 0) {
      const s = document.createElement("span");
      s.className = "sep";
      s.textContent = "›";
      nav.append(s);
    }
    if (i === state.path.length - 1) {
      const s = document.createElement("span");
      s.textContent = p.name;
      nav.append(s);
    } else {
      const a = document.createElement("a");
      a.textContent = p.name;
      a.tabIndex = 0;
      a.addEventListener("click", () => {
        state.path = state.path.slice(0, i + 1);
        load();
      });
      nav.append(a);
    }
  });
}

function drill(scope) {
  state.path.push({ id: scope.id, name: scope.name, level: scope.level });
  load();
}

function renderTable(ind) {
  const body = $("breakdown").querySelector("tbody");
  body.replaceChildren();
  $("breakdown-title").textContent = ind.breakdown.length ? "Places below " + ind.scope.name : "No places below a grid";
  for (const b of ind.breakdown) {
    const tr = document.createElement("tr");
    tr.className = "drill";
    tr.tabIndex = 0;
    const cells = [b.scope.name, num(b.checkins.checkedIn), pct(b.checkins.rate), num(b.issues.reported), num(b.issues.resolved),
      pct(share(b.issues.resolvedOnTime, b.issues.resolvedLate)), num(b.issues.overdue),
      pct(share(b.issues.verdictsSatisfied, b.issues.verdictsUnsatisfied)), pct(reopenRate(b.issues.resolvedInPeriod, b.issues.reopened))];
    cells.forEach((c, i) => {
      const td = document.createElement("td");
      if (i === 0) {
        const a = document.createElement("a");
        a.textContent = c;
        td.append(a);
      } else {
        td.textContent = c;
      }
      tr.append(td);
    });
    tr.addEventListener("click", () => drill(b.scope));
    tr.addEventListener("keydown", (e) => {
      if (e.key === "Enter") drill(b.scope);
    });
    body.append(tr);
  }
}

function chart(id) {
  if (typeof echarts === "undefined") return null;
  if (!state.charts[id]) {
    state.charts[id] = echarts.init($(id), null, { renderer: "canvas" });
  }
  return state.charts[id];
}

function renderCharts(ind) {
  const grid = { left: 50, right: 20, top: 30, bottom: 60, containLabel: true };
  const names = ind.breakdown.map((b) => b.scope.name);
  const c1 = chart("chart-breakdown");
  if (c1) {
    c1.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid,
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 8 ? 40 : 0 } },
      yAxis: [{ type: "value", name: "issues" }, { type: "value", name: "check-in %", max: 100 }],
      series: [
        { name: "Issues reported", type: "bar", data: ind.breakdown.map((b) => b.issues.reported) },
        { name: "Resolved", type: "bar", data: ind.breakdown.map((b) => b.issues.resolved) },
        { name: "Check-in rate %", type: "line", yAxisIndex: 1, data: ind.breakdown.map((b) => +(100 * b.checkins.rate).toFixed(1)) },
      ],
    }, true);
    c1.off("click");
    c1.on("click", (p) => {
      const b = ind.breakdown[p.dataIndex];
      if (b) drill(b.scope);
    });
  }
  const c2 = chart("chart-trend");
  if (c2) {
    c2.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid,
      xAxis: { type: "category", data: ind.trend.map((t) => t.month) },
      yAxis: { type: "value" },
      series: [
        { name: "Issues reported", type: "line", data: ind.trend.map((t) => t.issuesReported) },
        { name: "Issues resolved", type: "line", data: ind.trend.map((t) => t.issuesResolved) },
        { name: "按期办结 On time", type: "line", data: ind.trend.map((t) => t.issuesResolvedOnTime) },
        { name: "逾期办结 Late", type: "line", data: ind.trend.map((t) => t.issuesResolvedLate) },
        { name: "不满意 Unsatisfied", type: "line", data: ind.trend.map((t) => t.verdictsUnsatisfied) },
        { name: "重办 Reopened", type: "line", data: ind.trend.map((t) => t.issuesReopened) },
        { name: "Orders completed", type: "line", data: ind.trend.map((t) => t.ordersCompleted) },
      ],
    }, true);
  }
  const cats = ind.issues.byCategory.slice(0, 12);
  const c3 = chart("chart-categories");
  if (c3) {
    c3.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { ...grid, left: 110 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: cats.map((c) => label(c.category)), inverse: true },
      series: [
        { name: "Reported", type: "bar", data: cats.map((c) => c.reported) },
        { name: "Resolved", type: "bar", data: cats.map((c) => c.resolved) },
      ],
    }, true);
  }
  const c4 = chart("chart-activities");
  if (c4) {
    c4.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid,
      xAxis: { type: "category", data: ind.activities.map((a) => label(a.kind)), axisLabel: { rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: "Events", type: "bar", data: ind.activities.map((a) => a.events) },
        { name: "Person-times", type: "bar", data: ind.activities.map((a) => a.personTimes) },
      ],
    }, true);
  }
  const c5 = chart("chart-teams");
  if (c5) {
    c5.setOption({
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{
        name: "Volunteers", type: "pie", radius: ["35%", "65%"],
        data: ind.volunteers.teams.map((t) => ({ name: label(t.teamType) + " (" + num(t.teams) + " teams)", value: t.volunteers })),
      }],
    }, true);
  }
}

function init() {
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
  $("kind").addEventListener("change", syncPeriodInputs);
  $("period").addEventListener("submit", (e) => {
    e.preventDefault();
    if (state.token) load();
  });
  $("signin-button").addEventListener("click", () => signIn($("token").value.trim()));
  $("signout").addEventListener("click", signOut);
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    signIn(saved);
  } else {
    $("signin").hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", init);
