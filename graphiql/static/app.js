// gridgov GraphQL explorer: GraphiQL over POST /graphql with the token pasted into the page,
// kept in this tab's sessionStorage. Everything loads from this server (see index.html).
"use strict";

const TOKEN_KEY = "gridgov.token";
const $ = (id) => document.getElementById(id);

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

// fetcher sends each operation, introspection included, with the token; a header typed in
// GraphiQL's headers pane is sent too and may name another Authorization.
async function fetcher(params, opts) {
  const headers = { "Content-Type": "application/json", Authorization: "Bearer " + token() };
  Object.assign(headers, (opts && opts.headers) || {});
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify(params) });
  return res.json();
}

function showSignIn() {
  $("signin").hidden = false;
  $("graphiql").hidden = true;
  $("signout").hidden = true;
}

function showExplorer() {
  $("signin").hidden = true;
  $("graphiql").hidden = false;
  $("signout").hidden = false;
  ReactDOM.createRoot($("graphiql")).render(
    React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false }),
  );
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-button").addEventListener("click", () => {
    const t = $("token").value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    showExplorer();
  });
  $("signout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  if (token()) showExplorer();
  else showSignIn();
});
