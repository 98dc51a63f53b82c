/* CaseOps playground: plays one case per browser tab through the server's HTTP routes.
   Vanilla JavaScript, no framework, nothing fetched from outside this server.
   The episode (its id, the last observation, what this tab did) lives in sessionStorage,
   so every tab has its own episode and a reload keeps it. */
"use strict";

const STORE_KEY = "caseops.playground.v1";

/* Action types as a person reads them: label, what it does, the fields its form sends. */
const ACTIONS = {
  review_ticket: { label: "Review the ticket", help: "Read the ticket carefully (the customer's message and context).", fields: [] },
  inspect_artifact: { label: "Inspect an artifact", help: "Open one record attached to the case (order, payment, logs...).", fields: ["artifact_id"] },
  search_policy: { label: "Search the policies", help: "Search the knowledge base for the policy that applies.", fields: ["query"] },
  classify: { label: "Classify the case", help: "Route it: queue, priority and issue type (moves a new case to triaged).", fields: ["queue", "priority", "issue_type"] },
  request_info: { label: "Ask the customer", help: "Request missing information; the case waits on the customer until they answer.", fields: ["requested_fields"] },
  escalate: { label: "Escalate", help: "Hand the case to a specialist team.", fields: ["queue"] },
  draft_reply: { label: "Draft the reply", help: "Write the customer-facing reply.", fields: ["message"] },
  add_internal_note: { label: "Add an internal note", help: "A note for colleagues; the customer never sees it.", fields: ["note"] },
  resolve: { label: "Resolve", help: "Close the case with a resolution code (ends the episode).", fields: ["resolution_code"] },
  submit: { label: "Submit", help: "Hand the case off as it stands, optionally with a disposition (ends the episode).", fields: ["resolution_code?"] },
};

const FIELD_LABELS = {
  artifact_id: "Artifact", query: "Search terms", queue: "Queue", priority: "Priority",
  issue_type: "Issue type", requested_fields: "Fields to request", message: "Reply to the customer",
  note: "Internal note", resolution_code: "Resolution code",
};

const $ = (id) => document.getElementById(id);
const human = (s) => (s === null || s === undefined || s === "" ? "—" : String(s).replace(/_/g, " "));

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/* ---------------------------------------------------------------- state */

let S = load();
let machine = null; // GET /statemachine
let catalog = null; // GET /web/catalog

function blank() {
  return { episodeId: null, obs: null, reward: null, done: false, history: [], evidence: {}, action: null };
}
function load() {
  try { return Object.assign(blank(), JSON.parse(sessionStorage.getItem(STORE_KEY)) || {}); }
  catch (e) { return blank(); }
}
function save() { sessionStorage.setItem(STORE_KEY, JSON.stringify(S)); }

/* ---------------------------------------------------------------- HTTP */

async function api(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { ok: false, status: 0, data: null, error: "the server cannot be reached (" + e.message + ")" };
  }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  return { ok: res.ok, status: res.status, data, error: res.ok ? null : describeError(res.status, data) };
}

/* A refused request as one sentence: CaseOps errors carry `detail`; validation errors a list. */
function describeError(status, data) {
  if (data && Array.isArray(data.detail)) {
    return data.detail.map((d) => (d.loc || []).filter((p) => p !== "body").join(".") + ": " + d.msg).join("; ");
  }
  if (data && data.detail) return String(data.detail);
  return "HTTP " + status;
}

function showMessage(text, kind) {
  const box = $("message");
  box.hidden = !text;
  box.className = kind || "error";
  box.textContent = text || "";
}

/* ---------------------------------------------------------------- picker */

async function initPicker() {
  const [cat, seedTasks] = await Promise.all([api("GET", "/web/catalog"), api("GET", "/tasks?split=seed")]);
  catalog = cat.data;
  for (const s of catalog.splits) $("pick-split").append(el("option", { value: s, text: s }));
  for (const f of catalog.families) $("pick-family").append(el("option", { value: f, text: human(f) }));
  for (const m of catalog.reward_modes) $("pick-reward-mode").append(el("option", { value: m, text: m === "dense" ? "dense (shaped, for training)" : "terminal (score at the end, for evaluation)" }));
  $("pick-task").append(el("option", { value: "", text: "drawn by the seed" }));
  for (const t of (seedTasks.data ? seedTasks.data.items : [])) {
    $("pick-task").append(el("option", { value: t.task_id, text: t.task_id + " — " + t.title + " (" + t.difficulty + ")" }));
  }
  $("pick-split").addEventListener("change", pickerMode);
  $("pick-family").addEventListener("change", pickerMode);
  pickerMode();
}

function pickerMode() {
  const split = $("pick-split").value;
  const seedSplit = split === "seed";
  $("pick-task-label").hidden = !seedSplit;
  $("pick-family-label").hidden = seedSplit;
  const family = $("pick-family").value;
  $("pick-hint").textContent = seedSplit
    ? "The six hand-written cases: pick one, or leave it to the seed (no seed: the server picks)."
    : family
      ? "Task " + family + "/<seed>: a generated case of that family (the seed decides its details and its split)."
      : "A " + split + " case drawn by the seed (no seed: the server picks).";
}

async function start(ev) {
  ev.preventDefault();
  const split = $("pick-split").value;
  const seedText = $("pick-seed").value.trim();
  const body = { reward_mode: $("pick-reward-mode").value };
  if (split === "seed" && $("pick-task").value) body.task_id = $("pick-task").value;
  else if (split !== "seed" && $("pick-family").value) {
    if (!seedText) { showMessage("A family needs a seed: the task is <family>/<seed>."); return; }
    body.task_id = $("pick-family").value + "/" + seedText;
  } else {
    body.split = split;
    if (seedText) body.seed = Number(seedText);
  }
  const r = await api("POST", "/reset", body);
  if (!r.ok) { showMessage("Could not start: " + r.error); return; }
  S = blank();
  S.episodeId = r.data.observation.episode_id;
  S.obs = r.data.observation;
  S.reward = r.data.reward;
  S.done = r.data.done;
  save();
  showMessage("");
  render();
}

/* ---------------------------------------------------------------- stepping */

function actionBody(type, form) {
  const action = { action_type: type };
  for (const spec of ACTIONS[type].fields) {
    const name = spec.replace("?", "");
    if (name === "requested_fields") {
      const chosen = [...form.querySelectorAll('input[name="requested_fields"]:checked')].map((i) => i.value);
      action.requested_fields = chosen;
      continue;
    }
    const input = form.elements[name];
    const value = input ? input.value.trim() : "";
    if (value !== "") action[name] = value;
  }
  return action;
}

async function sendAction(ev) {
  ev.preventDefault();
  const type = S.action;
  const action = actionBody(type, ev.target);
  const before = S.obs;
  const r = await api("POST", "/step", { action, episode_id: S.episodeId });
  if (!r.ok) {
    // refused before it reached the case (a 422 names the field): nothing was recorded
    showMessage("Invalid action, not sent to the case: " + r.error);
    return;
  }
  const obs = r.data.observation;
  const entry = { step: obs.step, action, reward: r.data.reward, error: obs.last_action_error, result: obs.last_tool_result, from: before.case.status, to: obs.case.status };
  S.history.push(entry);
  const found = obs.collected_evidence.filter((e) => !before.collected_evidence.includes(e));
  for (const id of found) S.evidence[id] = obs.last_tool_result || "";
  S.obs = obs;
  S.reward = r.data.reward;
  S.done = r.data.done;
  save();
  if (obs.last_action_error) showMessage("Rejected: " + obs.last_action_error);
  else showMessage("");
  render();
}

/* ---------------------------------------------------------------- rendering */

function render() {
  const has = !!S.obs;
  $("episode").hidden = !has;
  if (!has) return;
  const o = S.obs;
  $("ep-title").textContent = o.task_id + (S.done ? " — ended" : "");
  $("ep-objective").textContent = o.objective;
  facts($("ep-facts"), [
    ["Episode", o.episode_id, "ep-id"],
    ["Difficulty", o.difficulty],
    ["Step", o.step],
    ["Steps left", o.remaining_steps],
    ["Reward mode", o.reward_mode],
    ["Last reward", S.reward === null || S.reward === undefined ? "—" : Number(S.reward).toFixed(3)],
    ["Score so far", o.current_score === null || o.current_score === undefined ? "hidden until the end" : Number(o.current_score).toFixed(3), "ep-score"],
  ]);
  renderTicket(o.ticket);
  renderEvidence(o);
  renderCase(o.case);
  renderActions(o);
  renderDiagram(o.case.status);
  renderHistory();
  renderReport(o);
}

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [k, v, id] of rows) {
    dl.append(el("dt", { text: k }), el("dd", { id: id || null, text: v === null || v === undefined || v === "" ? "—" : String(v) }));
  }
}

function renderTicket(t) {
  $("ticket-body").replaceChildren(...[
    el("p", { class: "subject", text: t.subject }),
    el("p", { class: "from", text: "From " + t.customer_name + " (" + t.customer_tier + " customer, via " + t.channel + ")" }),
    el("blockquote", { text: t.customer_message }),
    el("dl", { class: "facts" },
      el("dt", { text: "SLA" }), el("dd", { text: t.sla_minutes_remaining >= 0 ? t.sla_minutes_remaining + " minutes left" : "breached " + (-t.sla_minutes_remaining) + " minutes ago" }),
      el("dt", { text: "Affected users" }), el("dd", { text: t.affected_users }),
      el("dt", { text: "Business impact" }), el("dd", { text: t.business_impact || "—" })),
    t.secondary_concerns.length ? el("div", {}, el("h3", { text: "Also mentioned" }), el("ul", {}, t.secondary_concerns.map((c) => el("li", { text: c })))) : null,
  ].filter(Boolean));
}

function renderEvidence(o) {
  const body = $("evidence-body");
  body.replaceChildren();
  if (!o.collected_evidence.length) body.append(el("p", { class: "muted", text: "Nothing yet: inspect artifacts and search the policies." }));
  for (const id of o.collected_evidence) {
    body.append(el("details", { class: "evidence", open: true },
      el("summary", { text: human(id) }),
      el("pre", { text: S.evidence[id] || "(found before this page was opened)" })));
  }
  body.append(el("p", { class: "muted" },
    "Artifacts: " + (o.available_artifacts.map(human).join(", ") || "none") + ". Policy topics: " + (o.policy_topics.map(human).join(", ") || "none") + "."));
}

function renderCase(c) {
  const answers = Object.entries(c.customer_answers || {});
  const dl = $("case-body");
  dl.replaceChildren();
  const row = (k, v, id) => dl.append(el("dt", { text: k }), el("dd", { id }, v));
  row("Status", el("span", { class: "status status-" + c.status, text: human(c.status) }), "case-status");
  row("Queue", human(c.queue), "case-queue");
  row("Priority", human(c.priority), "case-priority");
  row("Issue type", human(c.issue_type), "case-issue-type");
  row("Escalated to", human(c.escalated_to));
  row("Requested fields", c.requested_fields.length ? c.requested_fields.map(human).join(", ") : "—", "case-requested");
  row("Customer answers", answers.length ? el("ul", {}, answers.map(([k, v]) => el("li", {}, el("b", { text: human(k) + ": " }), v))) : "—", "case-answers");
  row("Reply", c.drafted_reply ? el("blockquote", { text: c.drafted_reply }) : "—", "case-reply");
  row("Notes", c.internal_notes.length ? el("ul", {}, c.internal_notes.map((n) => el("li", { text: n }))) : "—", "case-notes");
  row("Resolution", human(c.resolution_code), "case-resolution");
}

function renderActions(o) {
  const list = $("legal-actions");
  list.replaceChildren();
  if (S.done) list.append(el("li", { text: "Nothing: the episode has ended." }));
  for (const a of o.legal_actions) list.append(el("li", {}, el("b", { text: ACTIONS[a] ? ACTIONS[a].label : human(a) }), " — ", ACTIONS[a] ? ACTIONS[a].help : ""));
  const tabs = $("action-tabs");
  tabs.replaceChildren();
  if (S.done) { $("action-form").replaceChildren(); tabs.hidden = true; renderLastResult(); return; }
  tabs.hidden = false;
  if (!S.action) S.action = o.legal_actions[0] || "review_ticket";
  for (const [type, spec] of Object.entries(ACTIONS)) {
    const legal = o.legal_actions.includes(type);
    tabs.append(el("button", {
      type: "button", role: "tab", class: "action-tab" + (type === S.action ? " active" : "") + (legal ? "" : " illegal"),
      "data-action": type, title: legal ? spec.help : "Not allowed while the case is " + human(o.case.status) + " (it will be rejected)",
      onclick: () => { S.action = type; save(); renderActions(S.obs); },
    }, spec.label));
  }
  renderForm(o);
  renderLastResult();
}

function select(name, values, optional) {
  const s = el("select", { name, id: "f-" + name });
  if (optional) s.append(el("option", { value: "", text: "(none)" }));
  for (const v of values) s.append(el("option", { value: v, text: human(v) }));
  return s;
}

function renderForm(o) {
  const type = S.action;
  const v = o.vocabularies;
  const form = $("action-form");
  form.replaceChildren();
  form.setAttribute("data-action", type);
  form.append(el("p", { class: "muted", text: ACTIONS[type].help }));
  for (const spec of ACTIONS[type].fields) {
    const optional = spec.endsWith("?");
    const name = spec.replace("?", "");
    let input;
    if (name === "artifact_id") input = select(name, o.available_artifacts);
    else if (name === "queue") input = select(name, v.queues);
    else if (name === "priority") input = select(name, v.priorities);
    else if (name === "issue_type") input = select(name, v.issue_types);
    else if (name === "resolution_code") input = select(name, v.resolution_codes, optional);
    else if (name === "query") {
      input = el("input", { name, id: "f-query", list: "policy-topics", placeholder: "e.g. " + (o.policy_topics[0] || "refunds").replace(/_/g, " ") });
      form.append(el("datalist", { id: "policy-topics" }, o.policy_topics.map((p) => el("option", { value: human(p) }))));
    } else if (name === "message" || name === "note") input = el("textarea", { name, id: "f-" + name, rows: 4, maxlength: 1200 });
    else if (name === "requested_fields") {
      input = el("fieldset", { class: "multi", id: "f-requested_fields" },
        v.requestable_fields.map((f) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "requested_fields", value: f }), human(f))));
    }
    form.append(el("label", { class: "field" }, FIELD_LABELS[name] + (optional ? " (optional)" : ""), input));
  }
  form.append(el("button", { type: "submit", id: "send" }, ACTIONS[type].label));
}

function renderLastResult() {
  const box = $("last-result");
  const last = S.history[S.history.length - 1];
  box.hidden = !last;
  if (!last) return;
  box.replaceChildren(...[
    el("h3", { text: "Step " + last.step + ": " + (ACTIONS[last.action.action_type] || {}).label }),
    last.error ? el("p", { class: "error", text: "Rejected: " + last.error }) : null,
    last.result ? el("pre", { text: last.result }) : null,
    el("p", { class: "muted", text: "Reward " + (last.reward === null ? "—" : Number(last.reward).toFixed(3)) + "; case " + human(last.from) + " → " + human(last.to) + "." }),
  ].filter(Boolean));
}

function actionSummary(a) {
  if (!a) return "";
  const parts = Object.entries(a).filter(([k]) => k !== "action_type").map(([k, v]) => human(k) + ": " + (Array.isArray(v) ? v.map(human).join(", ") : (k === "message" || k === "note" ? "“" + v + "”" : human(v))));
  return ((ACTIONS[a.action_type] || {}).label || human(a.action_type)) + (parts.length ? " (" + parts.join("; ") + ")" : "");
}

function renderHistory() {
  const ol = $("timeline");
  if (S.done && S.events) return renderEvents(ol, S.events);
  ol.replaceChildren(el("li", { class: "ev-start" }, el("b", { text: "Episode started" }), " — " + S.obs.task_id));
  for (const h of S.history) {
    ol.append(el("li", { class: h.error ? "ev-rejected" : "ev-step" },
      el("b", { text: "Step " + h.step }), " ", actionSummary(h.action),
      el("span", { class: "reward", text: " reward " + (h.reward === null ? "—" : Number(h.reward).toFixed(3)) }),
      h.error ? el("div", { class: "error", text: h.error }) : null));
  }
}

function renderEvents(ol, events) {
  ol.replaceChildren();
  for (const e of events) {
    const p = e.payload || {};
    const cls = e.type === "TransitionRejected" || e.type === "ActionInvalid" ? "ev-rejected" : e.type === "EpisodeStarted" ? "ev-start" : e.type === "EpisodeEnded" ? "ev-end" : "ev-step";
    const bits = [];
    if (p.step !== undefined) bits.push("step " + p.step);
    if (p.action) bits.push(actionSummary(p.action));
    if (p.from_state && p.to_state) bits.push(human(p.from_state) + " → " + human(p.to_state));
    if (e.type === "EpisodeStarted") bits.push(p.task_id + ", " + (p.reward_mode || "dense") + " rewards, budget " + p.step_budget);
    if (e.type === "EpisodeEnded") bits.push((p.reason || p.end_reason || "") + (p.final_score !== undefined ? ", score " + Number(p.final_score).toFixed(3) : ""));
    ol.append(el("li", { class: cls, id: "ev-" + e.event_id },
      el("b", { text: "#" + e.version + " " + e.type }), " ", bits.join(" · "),
      p.reward !== undefined ? el("span", { class: "reward", text: " reward " + Number(p.reward).toFixed(3) }) : null,
      p.reason && cls === "ev-rejected" ? el("div", { class: "error", text: p.reason }) : null,
      el("div", { class: "muted small", text: e.recorded_at })));
  }
}

/* The grade report as a table: component, weight, earned, why, which event. */
function gradeTable(report, events) {
  const byId = {};
  for (const e of events || []) byId[e.event_id] = e;
  const table = el("table", { class: "grade" },
    el("thead", {}, el("tr", {}, ["Component", "Weight", "Earned", "Points", "Why", "Which event"].map((h) => el("th", { text: h })))));
  const tbody = el("tbody");
  for (const c of report.components || []) {
    const which = (c.event_ids || []).map((id) => {
      const e = byId[id];
      return e ? "#" + e.version + " " + e.type + (e.payload && e.payload.step !== undefined ? " (step " + e.payload.step + ")" : "") : id.slice(0, 8) + "…";
    });
    tbody.append(el("tr", { class: c.earned >= 1 ? "full" : c.earned > 0 ? "part" : "none" },
      el("td", { text: human(c.name) }), el("td", { class: "num", text: Number(c.weight).toFixed(3) }),
      el("td", { class: "num", text: Number(c.earned).toFixed(3) }), el("td", { class: "num", text: Number(c.points).toFixed(3) }),
      el("td", { text: c.detail }), el("td", { class: "which", text: which.join(", ") || "—" })));
  }
  table.append(tbody);
  return table;
}

function reportSummary(report) {
  return "Score " + Number(report.score).toFixed(3) + " — " + (report.outcome || "") + " (final status " + human(report.final_status) + ", " + report.steps + " steps)";
}

async function renderReport(o) {
  const card = $("report");
  card.hidden = !S.done || !o.grade_report;
  if (card.hidden) return;
  const report = o.grade_report;
  $("report-summary").textContent = reportSummary(report);
  if (S.events === undefined) {
    // the stored log names the events the grade cites; a sealed server asks for the token
    const r = await api("GET", "/episodes/" + encodeURIComponent(S.episodeId) + "/events");
    S.events = r.ok ? r.data.events : null;
    save();
    if (r.ok) renderHistory();
  }
  const body = $("report-body");
  if (!report.components || !report.components.length) {
    body.replaceChildren(el("p", { class: "muted", text: "This server is sealed: the per-component grade is shown only with the admin token (use “Replay a stored episode”)." }));
    return;
  }
  body.replaceChildren(gradeTable(report, S.events));
}

/* ---------------------------------------------------------------- state diagram */

/* Parses the Mermaid stateDiagram source of GET /statemachine: edges "a --> b: l1 | l2". */
function parseMermaid(src) {
  const edges = [];
  let initial = null;
  const states = [];
  for (const raw of src.split("\n")) {
    const line = raw.trim();
    let m = line.match(/^state "([^"]+)" as (\w+)$/);
    if (m) { states.push(m[2]); continue; }
    m = line.match(/^\[\*\]\s*-->\s*(\w+)/);
    if (m) { initial = m[1]; continue; }
    m = line.match(/^(\w+)\s*-->\s*(\w+)\s*(?::\s*(.*))?$/);
    if (m) {
      const labels = (m[3] || "").split("|").map((s) => s.trim()).filter(Boolean);
      edges.push({ from: m[1], to: m[2], labels });
    }
  }
  for (const e of edges) for (const s of [e.from, e.to]) if (!states.includes(s)) states.push(s);
  return { states, edges, initial: initial || states[0] };
}

/* Columns by breadth-first distance from the initial state (rows in the order the source
   lists the states); an edge is "forward" (to a later column), "back" (to an earlier one),
   "side" (within a column) or a self-loop. */
function layout(g) {
  const dist = { [g.initial]: 0 };
  const queue = [g.initial];
  while (queue.length) {
    const s = queue.shift();
    for (const e of g.edges) if (e.from === s && dist[e.to] === undefined) { dist[e.to] = dist[s] + 1; queue.push(e.to); }
  }
  let far = Math.max(...Object.values(dist));
  for (const s of g.states) if (dist[s] === undefined) dist[s] = ++far;
  const columns = {};
  for (const s of g.states) (columns[dist[s]] = columns[dist[s]] || []).push(s);
  const pos = {};
  const W = 170, H = 42, GX = 150, GY = 64, TOP = 50;
  let height = 0;
  for (const [col, list] of Object.entries(columns)) {
    list.forEach((s, i) => { pos[s] = { x: 24 + Number(col) * (W + GX), y: TOP + i * (H + GY), w: W, h: H }; });
    height = Math.max(height, TOP + list.length * (H + GY) - GY + 40);
  }
  const kind = (e) => (e.from === e.to ? "self" : dist[e.to] > dist[e.from] ? "forward" : dist[e.to] < dist[e.from] ? "back" : "side");
  const width = 24 + Object.keys(columns).length * (W + GX) + 40;
  return { pos, kind, width, height };
}

const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const n = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

function renderDiagram(current) {
  const box = $("diagram-body");
  if (!machine) { box.textContent = "loading…"; return; }
  const g = parseMermaid(machine.mermaid);
  const L = layout(g);
  const root = svg("svg", { viewBox: "0 0 " + L.width + " " + L.height, width: L.width, height: L.height, role: "img", "aria-label": "Case state machine; current state " + current, id: "state-svg" });
  const defs = svg("defs");
  for (const [id, color] of [["arrow", "#667"], ["arrow-live", "#1a7f37"]]) {
    const m = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    m.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
    defs.append(m);
  }
  root.append(defs);
  const live = new Set(S.done ? [] : (S.obs ? S.obs.legal_actions : []));
  for (const e of g.edges) {
    const a = L.pos[e.from], b = L.pos[e.to];
    const shown = e.labels.filter((l) => !l.includes("[internal]")).map((l) => l.replace(/\s*\[.*\]/, ""));
    const internal = e.labels.length - shown.length;
    const isLive = e.from === current && shown.some((l) => live.has(l));
    const cls = "edge" + (isLive ? " live" : "");
    let d, lx, ly, anchor = "middle";
    const k = L.kind(e);
    if (k === "self") {
      const x = a.x + a.w / 2, y = a.y;
      d = `M${x - 18},${y} C${x - 30},${y - 36} ${x + 30},${y - 36} ${x + 18},${y}`;
      lx = x; ly = y - 32;
    } else if (k === "back") {
      const x1 = a.x + a.w / 2, y1 = a.y + a.h, x2 = b.x + b.w / 2, y2 = b.y + b.h;
      const dip = Math.max(y1, y2) + 48;
      d = `M${x1},${y1} C${x1},${dip} ${x2},${dip} ${x2},${y2}`;
      lx = (x1 + x2) / 2; ly = Math.max(y1, y2) + 36 + 14;
    } else if (k === "side") {
      const down = b.y > a.y;
      const off = down ? 46 : 96;
      const x = a.x + a.w, y1 = a.y + a.h * (down ? 0.7 : 0.3), y2 = b.y + b.h * (down ? 0.3 : 0.7);
      d = `M${x},${y1} C${x + off},${y1} ${x + off},${y2} ${x},${y2}`;
      lx = x + off * 0.75 + 4; ly = (y1 + y2) / 2 + (down ? -8 : 16); anchor = "start";
    } else {
      const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
      const mx = (x1 + x2) / 2;
      d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      lx = x1 + 38 + (x2 - x1) * 0.25; ly = y1 + (y2 - y1) * 0.3 - 6;
    }
    root.append(svg("path", { d, class: cls, "marker-end": isLive ? "url(#arrow-live)" : "url(#arrow)", fill: "none" }));
    const label = shown.join(", ") + (internal ? (shown.length ? " " : "") + "+" + internal + " internal" : "");
    if (label) root.append(svg("text", { x: lx, y: ly, class: "edge-label" + (isLive ? " live" : ""), "text-anchor": anchor }, label));
  }
  for (const s of g.states) {
    const p = L.pos[s];
    const group = svg("g", { class: "state" + (s === current ? " current" : ""), "data-state": s });
    group.append(svg("rect", { x: p.x, y: p.y, width: p.w, height: p.h, rx: 10 }));
    group.append(svg("text", { x: p.x + p.w / 2, y: p.y + p.h / 2 + 5, "text-anchor": "middle" }, s.replace(/_/g, " ")));
    root.append(group);
  }
  const ini = L.pos[g.initial];
  root.append(svg("circle", { cx: ini.x - 8, cy: ini.y + ini.h / 2, r: 5, class: "initial" }));
  box.replaceChildren(root, el("p", { class: "muted small", text: "Current state highlighted; green arrows are moves legal now. Internal actions keep the state." }));
}

/* ---------------------------------------------------------------- replay view */

async function loadReplay(ev) {
  ev.preventDefault();
  const id = $("replay-id").value.trim();
  const token = $("replay-token").value.trim() || null;
  const msg = $("replay-message");
  const show = (text) => { msg.hidden = !text; msg.className = "error"; msg.textContent = text || ""; };
  $("replay-out").hidden = true;
  const enc = encodeURIComponent(id);
  const events = await api("GET", "/episodes/" + enc + "/events", undefined, token);
  if (events.status === 401) {
    $("token-label").hidden = false;
    show("This server is sealed: enter the admin token (CASEOPS_ADMIN_TOKEN) to read stored episodes. " + events.error);
    return;
  }
  if (!events.ok) { show(events.error); return; }
  show("");
  $("replay-out").hidden = false;
  renderEvents($("replay-timeline"), events.data.events);
  const rep = await api("GET", "/episodes/" + enc + "/replay", undefined, token);
  if (!rep.ok) {
    $("replay-title").textContent = "Episode " + id;
    $("replay-summary").textContent = rep.status === 409 ? "Still running: its grade is available once it ends. " + rep.error : rep.error;
    $("replay-report").replaceChildren();
    return;
  }
  const r = rep.data;
  $("replay-title").textContent = r.task_id + " — episode " + r.episode_id;
  $("replay-summary").textContent = reportSummary(r.grade) + ". Replay " + (r.matches ? "matches the log." : "DIFFERS from the log: " + r.mismatches.join("; "));
  $("replay-report").replaceChildren(gradeTable(r.grade, events.data.events));
}

/* ---------------------------------------------------------------- start */

function switchView(name) {
  for (const v of ["play", "replay"]) {
    $("view-" + v).hidden = v !== name;
    $("tab-" + v).classList.toggle("active", v === name);
  }
}

async function main() {
  document.querySelectorAll("nav .tab").forEach((b) => b.addEventListener("click", () => switchView(b.dataset.view)));
  $("start-form").addEventListener("submit", start);
  $("action-form").addEventListener("submit", sendAction);
  $("replay-form").addEventListener("submit", loadReplay);
  const m = await api("GET", "/statemachine");
  machine = m.ok ? m.data : null;
  await initPicker();
  render();
  document.body.setAttribute("data-ready", "true");
}

main();
