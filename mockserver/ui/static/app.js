// mockserver dashboard: a page over the JSON admin API (/__admin/*). No framework, no build step,
// nothing fetched from the internet. Every value from the server reaches the page through
// textContent (the h() helper), never innerHTML: request bodies are untrusted text.
"use strict";

// ---------------------------------------------------------------------------------------------
// helpers

const $ = (selector, root = document) => root.querySelector(selector);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

class AdminError extends Error {}

async function call(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  }
  let answer;
  try {
    answer = await fetch(path, init);
  } catch (error) {
    setConnection(false);
    throw new AdminError("the mock server is not answering");
  }
  setConnection(true);
  const text = await answer.text();
  const body = text ? JSON.parse(text) : null;
  if (!answer.ok) throw new AdminError((body && body.message) || `HTTP ${answer.status}`);
  return body;
}

function setConnection(up) {
  const pill = $("#connection");
  pill.textContent = up ? "connected" : "disconnected";
  pill.className = "pill " + (up ? "ok" : "bad");
}

let toastTimer = null;
function toast(message) {
  const box = $("#toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 3500);
}

function statusClass(status) {
  return status ? `s${String(status)[0]}xx` : "snone";
}

function statusBadge(status) {
  return h("span", { class: `status ${statusClass(status)}` }, status ?? "—");
}

function pretty(text, contentType) {
  if (!text) return "";
  if ((contentType || "").includes("json") || /^[\[{]/.test(text.trim())) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* clipped or not JSON */ }
  }
  return text;
}

function headerList(headers) {
  return h("div", { class: "kv" },
    Object.entries(headers || {}).flatMap(([name, value]) => [h("span", {}, name), h("span", {}, value)]));
}

function shortTime(iso) {
  return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("Z", "") : "";
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {  // no clipboard permission (e.g. plain http on another host): select instead
    const area = h("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
}

// ---------------------------------------------------------------------------------------------
// views and routing: each view has load() (entering) and tick() (every second while shown)

const views = {};
let current = null;
let apiNames = [];

function show(name) {
  if (!views[name]) name = "requests";
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${name}`;
  for (const link of document.querySelectorAll("#tabs a")) link.classList.toggle("active", link.dataset.view === name);
  current = name;
  views[name].load().catch((error) => toast(error.message));
}

window.addEventListener("hashchange", () => show(location.hash.slice(1)));

function fillApiSelect(select, withAll) {
  const keep = select.value;
  select.replaceChildren(...(withAll ? [h("option", { value: "" }, "all")] : []),
    ...apiNames.map((name) => h("option", { value: name }, name)));
  if (keep && apiNames.includes(keep)) select.value = keep;
}

// ---------------------------------------------------------------------------------------------
// Requests: the live journal, the selected entry in full, the traffic chart

const journal = { latest: 0, rows: new Map(), paused: false, selected: null, generation: 0 };
const JOURNAL_ROWS = 500;

function journalQuery(extra = {}) {
  const params = new URLSearchParams();
  const api = $("#filter-api").value, status = $("#filter-status").value, q = $("#filter-path").value.trim();
  if (api) params.set("api", api);
  if (status) params.set("status", status);
  if (q) params.set("q", q);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return `requests?${params}`;
}

function journalRow(entry) {
  const row = h("tr", {
    class: "clickable", dataset: { id: entry.id, status: entry.status },
    onclick: () => selectRequest(entry.id),
  },
  h("td", {}, entry.id),
  h("td", { class: "mono" }, shortTime(entry.at)),
  h("td", {}, entry.api ?? "—"),
  h("td", {}, entry.method),
  h("td", { class: "path" }, entry.path + (entry.query ? `?${entry.query}` : "")),
  h("td", {}, statusBadge(entry.status)),
  h("td", {}, entry.duration_ms.toFixed(1)));
  if (entry.id === journal.selected) row.classList.add("selected");
  return row;
}

function renderJournal(entries, replace) {
  const body = $("#journal tbody");
  if (replace) { body.replaceChildren(); journal.rows.clear(); }
  for (const entry of entries) {  // oldest first from the server: prepend, so newest ends on top
    if (journal.rows.has(entry.id)) continue;
    const row = journalRow(entry);
    journal.rows.set(entry.id, row);
    body.prepend(row);
  }
  while (journal.rows.size > JOURNAL_ROWS) {
    const oldest = Math.min(...journal.rows.keys());
    journal.rows.get(oldest).remove();
    journal.rows.delete(oldest);
  }
  $("#journal-empty").hidden = journal.rows.size > 0;
  $("#journal-count").textContent = `${journal.rows.size} shown`;
}

async function reloadJournal() {
  const generation = ++journal.generation;
  const answer = await call(journalQuery({ limit: 200 }));
  if (generation !== journal.generation) return;  // a newer filter won
  journal.latest = answer.latest;
  renderJournal(answer.requests, true);
}

async function pollJournal() {
  if (journal.paused) return;
  const generation = journal.generation;
  const answer = await call(journalQuery({ after: journal.latest, limit: 200 }));
  if (generation !== journal.generation) return;
  if (answer.latest < journal.latest) {  // the journal was cleared or the mock reset
    await reloadJournal();
    $("#request-detail").replaceChildren(h("p", { class: "empty" }, "Select a request to see it in full."));
    return;
  }
  journal.latest = answer.latest;
  renderJournal(answer.requests, false);
}

function violationList(title, items, describe, extraClass) {
  if (!items || !items.length) return null;
  return h("div", {}, h("h3", {}, title),
    h("ul", { class: `violations ${extraClass || ""}`.trim() }, items.map((item) => h("li", {}, describe(item)))));
}

async function selectRequest(id) {
  journal.selected = id;
  for (const [rowId, row] of journal.rows) row.classList.toggle("selected", rowId === id);
  const panel = $("#request-detail");
  let entry;
  try {
    entry = await call(`requests/${id}`);
  } catch (error) {
    panel.replaceChildren(h("p", { class: "error" }, error.message));
    return;
  }
  const query = entry.query ? `?${entry.query}` : "";
  const requestType = entry.request_headers["Content-Type"] || entry.request_headers["content-type"];
  const responseType = entry.response_headers["Content-Type"] || entry.response_headers["content-type"];
  // The client-side contract check repeats the mock's own reasons for a refusal: show only news.
  const reasons = new Set((entry.violations || []).map((v) => `${v.location}|${v.field}|${v.message}`));
  const contract = (entry.contract || []).filter((v) => !reasons.has(`${v.location}|${v.field}|${v.rule}`));
  panel.replaceChildren(h("div", {},
    h("div", { class: "panel-head" },
      h("h2", {}, `#${entry.id} ${entry.method} ${entry.path}`), statusBadge(entry.status)),
    h("p", { class: "muted" },
      `${entry.api ?? "no API"} · ${entry.operation_id ?? "no operation"} · tenant ${entry.tenant ?? "—"} · ` +
      `${entry.duration_ms.toFixed(1)} ms · ${shortTime(entry.at)} (mock time)`),
    entry.error ? h("p", { class: "error", id: "rejection" },
      `Rejected: ${entry.error.status} ${entry.error.message}`) : null,
    violationList("Why it was rejected", entry.violations,
      (v) => `${v.location} ${v.field || "(whole)"}: ${v.message}`),
    violationList("Contract violations by the client", contract,
      (v) => `${v.operation}: ${v.location} ${v.field}: ${v.rule}`, "contract"),
    h("h3", {}, "Request"),
    h("pre", {}, `${entry.method} ${entry.path}${query}`),
    headerList(entry.request_headers),
    entry.request_body ? h("pre", { class: "request-body" }, pretty(entry.request_body, requestType)) : null,
    h("h3", {}, "Response"),
    headerList(entry.response_headers),
    entry.response_body ? h("pre", { class: "response-body" }, pretty(entry.response_body, responseType)) : h("p", { class: "muted" }, "(empty body)"),
  ));
}

const traffic = { last: 0 };

function drawTraffic(answer) {
  const chart = $("#traffic-chart");
  const bucket = 10;
  const bars = [];
  for (let i = 0; i < answer.series.length; i += bucket) {
    const slice = answer.series.slice(i, i + bucket);
    const bar = { t: slice[0].t };
    for (const cls of ["2xx", "3xx", "4xx", "5xx"]) bar[cls] = slice.reduce((n, s) => n + s[cls], 0);
    bars.push(bar);
  }
  const width = chart.clientWidth || 800, height = 110, bottom = 16, left = 34;
  const peak = Math.max(1, ...bars.map((b) => b["2xx"] + b["3xx"] + b["4xx"] + b["5xx"]));
  const step = (width - left) / bars.length;
  const scale = (height - bottom - 6) / peak;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.replaceChildren();
  chart.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width, y2: height - bottom }));
  const label = svg("text", { x: 2, y: 12 }); label.textContent = String(peak); chart.append(label);
  const zero = svg("text", { x: 2, y: height - bottom }); zero.textContent = "0"; chart.append(zero);
  bars.forEach((bar, index) => {
    let y = height - bottom;
    for (const cls of ["2xx", "3xx", "4xx", "5xx"]) {
      if (!bar[cls]) continue;
      const tall = bar[cls] * scale;
      y -= tall;
      const rect = svg("rect", {
        x: left + index * step + 1, y, width: Math.max(1, step - 2), height: tall, class: `bar b${cls}`,
        "data-class": cls,
      });
      const tip = svg("title"); tip.textContent = `${bar[cls]} × ${cls}`; rect.append(tip);
      chart.append(rect);
    }
  });
  for (const minutes of [5, 4, 3, 2, 1]) {
    const x = left + ((300 - minutes * 60) / bucket) * step;
    const tick = svg("text", { x, y: height - 3 }); tick.textContent = `-${minutes}m`; chart.append(tick);
  }
  const total = answer.series.reduce((n, s) => n + s["2xx"] + s["3xx"] + s["4xx"] + s["5xx"], 0);
  const errors = answer.series.reduce((n, s) => n + s["4xx"] + s["5xx"], 0);
  $("#traffic-summary").textContent = `${total} requests, ${errors} errors, ${(total / 300).toFixed(2)} req/s`;
}

async function pollTraffic() {
  if (Date.now() - traffic.last < 2000) return;
  traffic.last = Date.now();
  drawTraffic(await call("traffic?seconds=300"));
}

views.requests = {
  async load() {
    fillApiSelect($("#filter-api"), true);
    traffic.last = 0;
    await Promise.all([reloadJournal(), pollTraffic()]);
  },
  async tick() { await Promise.all([pollJournal(), pollTraffic()]); },
};

for (const id of ["#filter-api", "#filter-status"]) $(id).addEventListener("change", () => reloadJournal().catch((e) => toast(e.message)));
let filterTimer = null;
$("#filter-path").addEventListener("input", () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => reloadJournal().catch((e) => toast(e.message)), 250);
});
$("#pause").addEventListener("click", (event) => {
  journal.paused = !journal.paused;
  event.target.textContent = journal.paused ? "Resume" : "Pause";
});
$("#clear-journal").addEventListener("click", async () => {
  await call("requests", { method: "DELETE" });
  await reloadJournal();
  toast("Journal cleared");
});

// ---------------------------------------------------------------------------------------------
// Webhooks: one row per message (an event to one receiver), its attempts, redelivery

const webhooks = { open: new Set(), signature: "" };

function groupAttempts(attempts) {
  const messages = new Map();
  for (const attempt of attempts) {
    const message = messages.get(attempt.messageId) || { id: attempt.messageId, attempts: [] };
    message.attempts.push(attempt);
    messages.set(attempt.messageId, message);
  }
  return [...messages.values()]
    .map((m) => ({ ...m, last: m.attempts[m.attempts.length - 1] }))
    .sort((a, b) => b.last.id - a.last.id);
}

function deliveryState(last) {
  if (last.ok) return ["delivered", "ok"];
  if (last.outcome === "retrying") return ["retrying", "pending"];
  return [last.outcome === "endpoint-disabled" ? "receiver disabled" : "failed", "bad"];
}

function attemptsTable(message) {
  return h("table", { class: "attempts" },
    h("thead", {}, h("tr", {}, ["#", "At (mock)", "Status", "ms", "Error", "Signature", "Next attempt"].map((t) => h("th", {}, t)))),
    h("tbody", {}, message.attempts.map((a) => h("tr", {},
      h("td", {}, a.attempt),
      h("td", { class: "mono" }, shortTime(a.at)),
      h("td", {}, statusBadge(a.status)),
      h("td", {}, a.latencyMs),
      h("td", {}, a.error ?? ""),
      h("td", { class: "signature" }, headerList(a.signature)),
      h("td", { class: "mono" }, shortTime(a.nextAttemptAt) || "—")))),
    h("tfoot", {}, h("tr", {}, h("td", { colspan: 7 },
      h("h3", {}, "Payload"), h("pre", {}, pretty(message.last.payload || "", "json"))))));
}

function renderDeliveries(attempts) {
  const api = $("#webhook-api").value;
  const messages = groupAttempts(attempts.filter((a) => !api || a.api === api));
  const body = $("#deliveries tbody");
  body.replaceChildren(...messages.flatMap((message) => {
    const [label, tone] = deliveryState(message.last);
    const row = h("tr", {
      class: "clickable delivery", dataset: { messageId: message.id, event: message.last.event, state: label },
      onclick: () => {
        webhooks.open.has(message.id) ? webhooks.open.delete(message.id) : webhooks.open.add(message.id);
        renderDeliveries(attempts);
      },
    },
    h("td", {}, h("strong", {}, message.last.event), h("div", { class: "muted mono" }, message.last.eventId)),
    h("td", {}, message.last.api),
    h("td", { class: "path" }, message.last.url),
    h("td", {}, message.attempts.length),
    h("td", {}, statusBadge(message.last.status), " ", message.last.error ?? ""),
    h("td", {}, h("span", { class: `pill ${tone}` }, label)),
    h("td", {}, h("button", {
      type: "button", class: "secondary redeliver",
      onclick: (event) => { event.stopPropagation(); redeliver(message.id, event.target); },
    }, "Redeliver")));
    const rows = [row];
    if (webhooks.open.has(message.id)) rows.push(h("tr", { class: "attempt-detail" }, h("td", { colspan: 7 }, attemptsTable(message))));
    return rows;
  }));
  $("#deliveries-empty").hidden = messages.length > 0;
  $("#webhook-count").textContent = `${messages.length} deliveries, ${attempts.length} attempts`;
}

async function redeliver(messageId, button) {
  button.disabled = true;
  try {
    await call(`webhook-deliveries/${encodeURIComponent(messageId)}/redeliver`, { method: "POST" });
    toast("Redelivery queued");
  } catch (error) {
    toast(error.message);
  } finally {
    button.disabled = false;
  }
  await loadWebhooks(true);
}

async function loadWebhooks(force) {
  const [deliveries, subscriptions] = await Promise.all([call("webhook-deliveries"), call("webhook-subscriptions")]);
  const signature = JSON.stringify([deliveries.deliveries.length, deliveries.deliveries.at(-1)?.id, subscriptions.count]);
  if (!force && signature === webhooks.signature) return;  // nothing new: keep the DOM (and clicks) stable
  webhooks.signature = signature;
  renderDeliveries(deliveries.deliveries);
  $("#subscriptions tbody").replaceChildren(...subscriptions.subscriptions.map((s) => h("tr", { dataset: { subscriptionId: s.id } },
    h("td", {}, s.api), h("td", {}, s.tenant ?? "all"), h("td", { class: "path" }, s.url),
    h("td", {}, s.events.join(", ")),
    h("td", {}, h("span", { class: `pill ${s.status === "ACTIVE" ? "ok" : "bad"}` }, s.status)),
    h("td", { class: "mono secret" }, s.secret),
    h("td", {}, s.source === "admin"  // a vendor registration is removed through the vendor's API
      ? h("button", { type: "button", class: "danger unsubscribe", onclick: () => unsubscribe(s.id) }, "Remove")
      : h("span", { class: "muted" }, "via API")))));
}

async function unsubscribe(id) {
  try { await call(`webhook-subscriptions/${encodeURIComponent(id)}`, { method: "DELETE" }); } catch (e) { toast(e.message); }
  await loadWebhooks(true);
}

$("#subscribe-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const events = form.get("events").split(",").map((e) => e.trim()).filter(Boolean);
  try {
    const created = await call("webhook-subscriptions", {
      method: "POST", json: { api: form.get("api"), url: form.get("url"), events },
    });
    $("#subscribe-error").textContent = "";
    toast(`Subscribed; signing secret ${created.secret}`);
  } catch (error) {
    $("#subscribe-error").textContent = error.message;
  }
  await loadWebhooks(true);
});

views.webhooks = {
  async load() {
    fillApiSelect($("#webhook-api"), true);
    fillApiSelect($("#subscribe-form select[name=api]"), false);
    await loadWebhooks(true);
  },
  async tick() { await loadWebhooks(false); },
};
$("#webhook-api").addEventListener("change", () => loadWebhooks(true).catch((e) => toast(e.message)));
$("#webhooks-refresh").addEventListener("click", () => loadWebhooks(true).catch((e) => toast(e.message)));

// ---------------------------------------------------------------------------------------------
// State: resources per API and tenant, records paged, reset to seed

const state = { overview: null, resource: null, page: 0, size: 20, total: 0, counted: 0 };

function renderResources() {
  const api = $("#state-api").value, tenant = $("#state-tenant").value;
  const info = state.overview[api];
  $("#resources tbody").replaceChildren(...info.resources.map((r) => h("tr", {
    class: "clickable" + (r.name === state.resource ? " selected" : ""), dataset: { resource: r.name },
    onclick: () => { state.resource = r.name; state.page = 0; renderResources(); loadRecords().catch((e) => toast(e.message)); },
  }, h("td", {}, r.name), h("td", {}, r.counts[tenant] ?? 0))));
}

function fillTenants() {
  const info = state.overview[$("#state-api").value];
  const keep = $("#state-tenant").value;
  $("#state-tenant").replaceChildren(...info.tenants.map((t) => h("option", { value: t.id }, `${t.name} (${t.id})`)));
  if (info.tenants.some((t) => t.id === keep)) $("#state-tenant").value = keep;
}

async function loadOverview() {
  state.overview = await call("state");
  const select = $("#state-api");
  if (!select.options.length) fillApiSelect(select, false);
  fillTenants();
  const names = state.overview[select.value].resources.map((r) => r.name);
  if (!names.includes(state.resource)) { state.resource = names[0] ?? null; state.page = 0; }
  renderResources();
}

// The id, then the fields a person recognises a record by, then any other plain values.
const TELLING = /name|title|status|state|number|email|reference|sku|type/i;

function recordColumns(items, idField) {
  const plain = new Set();
  for (const item of items) {
    for (const [key, value] of Object.entries(item)) {
      if (key !== idField && (value === null || typeof value !== "object")) plain.add(key);
    }
  }
  const keys = [...plain];
  return [idField, ...keys.filter((k) => TELLING.test(k)), ...keys.filter((k) => !TELLING.test(k))].slice(0, 6);
}

async function loadRecords() {
  const api = $("#state-api").value, tenant = $("#state-tenant").value;
  if (!state.resource) { $("#records").replaceChildren(h("p", { class: "empty" }, "This API keeps no records.")); return; }
  const params = new URLSearchParams({ tenant, page: state.page, size: state.size });
  const answer = await call(`state/${api}/${encodeURIComponent(state.resource)}?${params}`);
  state.total = answer.total;
  const idField = state.overview[api].resources.find((r) => r.name === state.resource).idField;
  const columns = recordColumns(answer.items, idField);
  const pages = Math.max(1, Math.ceil(answer.total / state.size));
  $("#records-title").textContent = `${state.resource} of ${tenant}`;
  $("#records-page").textContent = `page ${state.page + 1} of ${pages} · ${answer.total} records`;
  $("#records-prev").disabled = state.page === 0;
  $("#records-next").disabled = state.page + 1 >= pages;
  const body = h("tbody");
  for (const item of answer.items) {
    const full = h("tr", { hidden: true }, h("td", { colspan: columns.length }, h("pre", {}, JSON.stringify(item, null, 2))));
    body.append(h("tr", { class: "clickable record", dataset: { id: item[idField] }, onclick: () => { full.hidden = !full.hidden; } },
      columns.map((c) => h("td", { class: c === idField ? "mono" : "" }, item[c] === undefined ? "" : String(item[c])))), full);
  }
  $("#records").replaceChildren(answer.items.length
    ? h("table", {}, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))), body)
    : h("p", { class: "empty" }, "No records."));
}

async function resetTo(apis) {
  const query = apis.map((a) => `api=${encodeURIComponent(a)}`).join("&");
  const answer = await call(`reset${query ? `?${query}` : ""}`, { method: "POST" });
  const counts = Object.entries(answer.reset).map(([api, resources]) =>
    `${api}: ${Object.values(resources).reduce((n, c) => n + c, 0)} records`);
  $("#reset-result").textContent = `Reset to seed · ${counts.join(" · ")}`;
  toast("Reset to seed");
  await views.state.load();
}

const COUNTS_EVERY_MS = 3000;

views.state = {
  async load() { state.counted = Date.now(); await loadOverview(); await loadRecords(); },
  async tick() {  // keep the counts live; the records stay as they are (rows may be expanded)
    if (Date.now() - state.counted < COUNTS_EVERY_MS) return;
    state.counted = Date.now();
    await loadOverview();
  },
};
$("#state-api").addEventListener("change", () => { state.resource = null; views.state.load().catch((e) => toast(e.message)); });
$("#state-tenant").addEventListener("change", () => { state.page = 0; views.state.load().catch((e) => toast(e.message)); });
$("#records-prev").addEventListener("click", () => { state.page -= 1; loadRecords().catch((e) => toast(e.message)); });
$("#records-next").addEventListener("click", () => { state.page += 1; loadRecords().catch((e) => toast(e.message)); });
$("#reset-api").addEventListener("click", () => resetTo([$("#state-api").value]).catch((e) => toast(e.message)));
$("#reset-all").addEventListener("click", () => resetTo([]).catch((e) => toast(e.message)));

// ---------------------------------------------------------------------------------------------
// Controls: clock, rate-limit modes, faults, demo credentials

function showClock(clock) {
  $("#clock-badge").textContent = `mock time ${shortTime(clock.now)}${clock.frozen ? " (frozen)" : ""}`;
  $("#clock-now").textContent = shortTime(clock.now);
  $("#clock-mode").textContent = clock.frozen ? "frozen" : "running";
  $("#clock-mode").className = "pill " + (clock.frozen ? "pending" : "ok");
}

async function clock(body) { showClock(await call("clock", { method: "POST", json: body })); }

$("#clock-freeze").addEventListener("click", () => clock({ freeze: true }).catch((e) => toast(e.message)));
$("#clock-resume").addEventListener("click", () => clock({ resume: true }).catch((e) => toast(e.message)));
for (const button of document.querySelectorAll("[data-advance]")) {
  button.addEventListener("click", () => clock({ advance: Number(button.dataset.advance) }).catch((e) => toast(e.message)));
}
$("#clock-set").addEventListener("click", () => {
  const local = $("#clock-at").value;  // "2030-01-01T09:00" or with seconds; read as UTC
  if (!local) { toast("Pick a date and time"); return; }
  clock({ at: `${local.length === 16 ? `${local}:00` : local}Z` }).catch((e) => toast(e.message));
});
$("#clock-advance").addEventListener("click", () => {
  const seconds = Number($("#clock-seconds").value);
  if (!Number.isFinite(seconds) || seconds <= 0) { toast("Give a positive number of seconds"); return; }
  clock({ advance: seconds }).catch((e) => toast(e.message));
});

async function loadRateLimits() {
  const answer = await call("rate-limits");
  $("#ratelimits tbody").replaceChildren(...Object.entries(answer.effective).map(([api, mode]) => {
    const select = h("select", { dataset: { api }, class: "ratelimit-mode" },
      ["faithful", "off", "storm", "custom"].map((m) => h("option", { value: m }, m)));
    select.value = mode.mode;
    select.addEventListener("change", async () => {
      try { await call("rate-limits", { method: "PUT", json: { api, mode: select.value } }); toast(`${api}: rate limits ${select.value}`); } catch (e) { toast(e.message); }
      await loadRateLimits();
    });
    const ietf = h("input", { type: "checkbox", checked: mode.ietf });
    ietf.addEventListener("change", async () => {
      try { await call("rate-limits", { method: "PUT", json: { api, mode: select.value, ietf: ietf.checked } }); } catch (e) { toast(e.message); }
      await loadRateLimits();
    });
    return h("tr", {}, h("td", {}, api), h("td", {}, select), h("td", {}, ietf));
  }));
}

function describeFault(f) {
  const parts = [];
  if (f.error_rate) parts.push(`${Math.round(f.error_rate * 100)}% ${f.error_statuses.join("/")}`);
  if (f.ratelimit_rate) parts.push(`${Math.round(f.ratelimit_rate * 100)}% 429`);
  if (f.drop_rate) parts.push(`${Math.round(f.drop_rate * 100)}% dropped`);
  if (f.latency_ms) parts.push(`+${f.latency_ms} ms${f.latency_sigma ? ` (σ ${f.latency_sigma})` : ""}`);
  if (f.seed !== null && f.seed !== undefined) parts.push(`seed ${f.seed}`);
  return parts.join(", ") || "none";
}

async function loadFaults() {
  const answer = await call("faults");
  $("#faults tbody").replaceChildren(...(answer.faults.length
    ? answer.faults.map((f) => h("tr", {}, h("td", {}, f.api), h("td", {}, f.operation), h("td", {}, describeFault(f))))
    : [h("tr", {}, h("td", { colspan: 3, class: "empty" }, "No faults injected."))]));
}

$("#fault-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { api: form.get("api") };
  if (form.get("operation").trim()) body.operation = form.get("operation").trim();
  for (const name of ["error_rate", "ratelimit_rate", "drop_rate", "latency_ms", "seed"]) {
    if (form.get(name) !== "") body[name] = Number(form.get(name));
  }
  try {
    await call("faults", { method: "POST", json: body });
    $("#fault-error").textContent = "";
    toast("Fault injected");
  } catch (error) {
    $("#fault-error").textContent = error.message;
  }
  await loadFaults();
});
$("#faults-clear").addEventListener("click", async () => {
  await call("faults", { method: "DELETE" });
  await loadFaults();
});

async function loadCredentials() {
  const answer = await call("credentials");
  $("#credentials").replaceChildren(...Object.entries(answer).map(([api, info]) => h("div", { class: "cred", dataset: { api } },
    h("h2", {}, `${info.title} `, h("span", { class: "muted" }, `(${api})`)),
    h("p", {}, "Base URL ", h("code", {}, info.baseUrl), " · spec ", h("a", { href: info.specUrl }, "openapi.json")),
    info.tenants.map((tenant) => h("div", {},
      h("h3", {}, `${tenant.name} (${tenant.id})`),
      tenant.credentials.map((cred) => h("div", { class: "curl" },
        h("div", {}, h("div", { class: "muted" }, cred.label || cred.scheme), h("pre", {}, cred.curl)),
        h("button", { type: "button", class: "secondary copy", onclick: (e) => copyText(cred.curl, e.target) }, "Copy"))))),
    info.oauthClients.length ? h("div", {}, h("h3", {}, "OAuth2 clients"),
      info.oauthClients.map((c) => h("div", { class: "kv" },
        h("span", {}, "client_id"), h("span", {}, c.client_id),
        h("span", {}, "client_secret"), h("span", {}, c.client_secret),
        h("span", {}, "redirect_uris"), h("span", {}, c.redirect_uris.join(" "))))) : null)));
}

views.controls = {
  async load() {
    fillApiSelect($("#fault-form select[name=api]"), false);
    await Promise.all([loadRateLimits(), loadFaults(), loadCredentials()]);
  },
  async tick() {},
};

// ---------------------------------------------------------------------------------------------
// start: learn the APIs, show the view in the address, then tick once a second

let ticking = false;
async function tick() {
  if (ticking || document.hidden) return;
  ticking = true;
  try {
    const [clockState] = await Promise.all([call("clock"), views[current].tick()]);
    showClock(clockState);
  } catch (error) {
    if (!(error instanceof AdminError)) console.error(error);
  } finally {
    ticking = false;
  }
}

(async function start() {
  try {
    const health = await call("health");
    apiNames = health.apis;
    for (const note of document.querySelectorAll(".per-worker")) note.hidden = !health.sharedRuntime;
  } catch (error) {
    toast(error.message);
  }
  show(location.hash.slice(1) || "requests");
  setInterval(tick, 1000);
  tick();
})();
