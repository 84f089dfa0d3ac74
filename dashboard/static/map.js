// gridgov dashboard map: the places one level below the scope as a choropleth of an indicator
// (issues per km², issues reported, overdue), clicked to drill down, and, for the staff who
// may see them, the scope's overdue issues as points. The boundaries come from /graphql as
// GeoJSON and are registered with ECharts: no tiles, nothing from another origin.
"use strict";

const MAP_QUERY = `query Map($scope: ID!, $period: PeriodInput!, $place: PlaceScope, $streets: Boolean!, $communities: Boolean!, $grids: Boolean!) {
  indicators(scope: $scope, period: $period) { scope { id level } breakdown { scope { id name level } density { areaKm2 issuesPerKm2 } issues { reported overdue } } }
  streets(filter: {place: $place}, first: 100) @include(if: $streets) { edges { node { id name geometry } } }
  communities(filter: {place: $place}, first: 100) @include(if: $communities) { edges { node { id name geometry } } }
  grids(filter: {place: $place}, first: 100) @include(if: $grids) { edges { node { id name geometry } } }
}`;
const OVERDUE_QUERY = `query Overdue($place: PlaceScope) { issues(filter: {place: $place, overdue: true}, first: 100) { edges { node { id title geometry } } } }`;

// The map's labels, [Chinese, English], added to the page's (app.js).
Object.assign(T, { map: ["地图", "Map"], mapMeasure: ["地图指标", "Map indicator"], issuesPerKm2: ["每平方公里问题数", "Issues per km²"],
  overdueIssues: ["超期问题", "Overdue issues"] });

// What each indicator shows (a label of T), and how it reads from a breakdown entry.
const MAP_MEASURES = {
  density: { label: "issuesPerKm2", value: (b) => b.density.issuesPerKm2 },
  reported: { label: "reported", value: (b) => b.issues.reported },
  overdue: { label: "overdue", value: (b) => b.issues.overdue },
};
const CHILD_LIST = { CITY: "streets", STREET: "communities", COMMUNITY: "grids", GRID: "grids" };
const PLACE_ARG = { STREET: "streetId", COMMUNITY: "communityId", GRID: "gridId" };

const mapState = { chart: null, option: null, click: null, data: null, seq: 0 };

async function mapAsk(token, query, variables) {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

// features turns a list of places with GeoJSON geometry into a FeatureCollection named by place.
function features(nodes) {
  return {
    type: "FeatureCollection",
    features: nodes.filter((n) => n.geometry).map((n) => ({ type: "Feature", id: n.id, properties: { name: n.name }, geometry: n.geometry })),
  };
}

async function drawMap(detail) {
  const el = document.getElementById("map");
  if (!el || typeof echarts === "undefined") return;
  const seq = ++mapState.seq;
  const level = detail.scope.level;
  const list = CHILD_LIST[level];
  const place = PLACE_ARG[level] ? { [PLACE_ARG[level]]: detail.scope.id } : null;
  let data, overdue = [];
  try {
    data = await mapAsk(detail.token, MAP_QUERY, { scope: detail.scope.id, period: detail.period, place,
      streets: list === "streets", communities: list === "communities", grids: list === "grids" });
    const issues = await mapAsk(detail.token, OVERDUE_QUERY, { place });
    overdue = issues.issues ? issues.issues.edges.map((e) => e.node).filter((n) => n.geometry) : [];
  } catch (e) {
    el.dataset.error = e.message;
    return;
  }
  if (seq !== mapState.seq) return; // a later scope is being drawn
  if (!data[list] || !data.indicators) {
    el.dataset.error = "the server sent no places to draw";
    return;
  }
  const places = data[list].edges.map((e) => e.node);
  echarts.registerMap("gridgov-" + detail.scope.id, features(places));
  mapState.data = { scope: detail.scope, places, breakdown: data.indicators.breakdown, overdue };
  paintMap();
  el.dataset.places = String(places.length);
  el.dataset.points = String(overdue.length);
  el.dataset.scope = detail.scope.id;
  delete el.dataset.error;
}

// paintMap builds the chart of the last data read, in the page's language and the chosen
// measure.
function paintMap() {
  const el = document.getElementById("map");
  const d = mapState.data;
  if (!el || !d) return;
  const measure = MAP_MEASURES[document.getElementById("map-measure").value] || MAP_MEASURES.density;
  const byName = {};
  for (const b of d.breakdown) byName[b.scope.name] = b;
  const values = d.places.map((p) => ({ name: p.name, value: byName[p.name] ? measure.value(byName[p.name]) : null }));
  const known = values.map((v) => v.value).filter((v) => v != null);
  mapState.option = {
    tooltip: { trigger: "item", formatter: (p) => p.name + (p.value == null || isNaN(p.value) ? "" : ": " + (+p.value).toFixed(1)) },
    visualMap: { min: 0, max: Math.max(1, ...known), calculable: true, seriesIndex: 0, left: 0, bottom: 0, text: [t(measure.label), ""] },
    geo: { map: "gridgov-" + d.scope.id, label: { show: d.places.length <= 12 } },
    series: [
      { type: "map", geoIndex: 0, data: values },
      { type: "scatter", coordinateSystem: "geo", symbolSize: 6, name: t("overdueIssues"),
        data: d.overdue.map((n) => ({ name: n.title, value: n.geometry.coordinates })) },
    ],
  };
  mapState.click = (p) => {
    const b = byName[p.name];
    if (p.componentType === "geo" && b && b.scope.level !== d.scope.level && typeof drill === "function") drill(b.scope);
  };
  showMap(el);
}

// showMap draws the last option in a chart made for the element's present size. A new size
// gets a new chart: ECharts' resize of a geo component fails in place (a null transform).
function showMap(el) {
  if (mapState.chart) mapState.chart.dispose();
  mapState.chart = echarts.init(el, null, { renderer: "canvas" });
  mapState.chart.setOption(mapState.option, true);
  mapState.chart.on("click", mapState.click);
}

document.addEventListener("gridgov:indicators", (e) => drawMap(e.detail));
window.addEventListener("resize", () => {
  const el = document.getElementById("map");
  if (mapState.option && el && el.offsetWidth > 0) showMap(el);
});
document.addEventListener("DOMContentLoaded", () => {
  const m = document.getElementById("map-measure");
  if (m) m.addEventListener("change", paintMap);
  // The page's language changed (app.js sets it on <html>): the map's labels follow.
  new MutationObserver(paintMap).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
});
