/** The dashboard's one page: plain HTML, CSS and JS, nothing from a CDN; live from `/events`. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PlexBeam</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
  #summary { color: #555; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
  th { font-weight: 600; color: #555; }
  .state { font-weight: 600; }
  tr.up .state { color: #1a7f37; } tr.down .state { color: #c62828; } tr.draining .state { color: #b26a00; }
  tr.down { background: #fdecec; }
  .error { color: #c62828; font-size: .9em; }
  #chart { display: flex; align-items: flex-end; gap: 3px; height: 120px; background: #fff; padding: .5rem; border: 1px solid #e4e4e4; }
  .bar { flex: 1; display: flex; flex-direction: column-reverse; min-width: 6px; }
  .bar span { display: block; } .remote { background: #1a7f37; } .local { background: #1565c0; } .fallback { background: #c62828; }
  .legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em; vertical-align: middle; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>PlexBeam</h1>
<div id="summary" class="muted">connecting…</div>
<h2>Workers</h2>
<table><thead><tr><th>worker</th><th>state</th><th>backend · encoders</th><th>jobs</th><th>version</th><th>last error</th></tr></thead><tbody id="workers"></tbody></table>
<h2>Live sessions</h2>
<table><thead><tr><th>session</th><th>kind</th><th>where</th><th>client</th><th>for</th><th>speed</th><th>segment</th></tr></thead><tbody id="sessions"></tbody></table>
<h2>Last 24 hours <span class="legend"><span class="remote"></span>remote<span class="local"></span>local<span class="fallback"></span>fallback</span></h2>
<div id="chart"></div>
<h2>Last failures</h2>
<table><thead><tr><th>when</th><th>session</th><th>why</th></tr></thead><tbody id="failures"></tbody></table>
<h2>Remote feasibility <span class="muted">(plexbeam analyze --remote-feasibility)</span></h2>
<div id="feasibility" class="muted">no session log yet</div>
<ul id="feasibility-reasons"></ul>
<ol id="feasibility-recommendations"></ol>
<h2>Library re-encode</h2>
<div id="library-totals" class="muted">nothing scanned (plexbeam library scan DIR)</div>
<table><thead><tr><th>job</th><th>file</th><th>progress</th><th>worker</th><th>note</th></tr></thead><tbody id="library"></tbody></table>
<script>
"use strict";
const text = (value) => String(value ?? "");
const cell = (row, value, cls) => { const td = row.insertCell(); td.textContent = text(value); if (cls) td.className = cls; return td; };
const ago = (iso) => { const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000)); return s < 60 ? s + " s" : s < 3600 ? Math.floor(s / 60) + " min" : Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min"; };
function render(report) {
  const workers = report.workers || [];
  const up = workers.filter((w) => w.up).length;
  document.getElementById("summary").textContent = up + " of " + workers.length + " workers up · " + (report.sessions || []).length + " live sessions · updated " + new Date().toLocaleTimeString();
  const body = document.getElementById("workers"); body.replaceChildren();
  for (const w of workers) {
    const row = body.insertRow(); const state = !w.up ? "down" : w.draining ? "draining" : "up";
    row.className = state; row.dataset.worker = w.name;
    cell(row, w.name + " (" + w.url + ")"); cell(row, state + " for " + ago(w.since), "state");
    cell(row, w.backend ? w.backend + " · " + w.encoders.join(", ") + " · storage " + w.storage : "");
    cell(row, w.jobs ? w.jobs.running + "/" + w.jobs.max + " running" + (w.jobs.queued ? ", " + w.jobs.queued + " queued" : "") : "");
    cell(row, w.version); cell(row, w.last_error, "error");
  }
  const sessions = document.getElementById("sessions"); sessions.replaceChildren();
  for (const s of report.sessions || []) {
    const row = sessions.insertRow(); row.dataset.session = s.id;
    cell(row, s.id.slice(0, 8)); cell(row, s.kind); cell(row, s.decision === "remote" ? "on " + s.worker : s.decision || "deciding");
    cell(row, s.client || "unknown"); cell(row, ago(new Date(s.startedAt).toISOString()));
    cell(row, s.speed == null ? "" : s.speed.toFixed(2) + "×", "speed"); cell(row, s.segment == null ? (s.firstSegmentAt == null ? "none yet" : "") : s.segment, "segment");
  }
  const chart = document.getElementById("chart"); chart.replaceChildren();
  const hours = report.hours || []; const most = Math.max(1, ...hours.map((h) => h.remote + h.local + h.fallback));
  for (const h of hours) {
    const bar = document.createElement("div"); bar.className = "bar"; bar.title = new Date(h.hour).toLocaleString() + ": " + h.remote + " remote, " + h.local + " local, " + h.fallback + " fallback";
    for (const kind of ["remote", "local", "fallback"]) { const part = document.createElement("span"); part.className = kind; part.style.height = (100 * h[kind] / most) + "px"; bar.append(part); }
    chart.append(bar);
  }
  const failures = document.getElementById("failures"); failures.replaceChildren();
  for (const f of report.failures || []) { const row = failures.insertRow(); cell(row, new Date(f.startedAt).toLocaleString()); cell(row, f.id.slice(0, 8)); cell(row, (f.fallbackReason ? f.fallbackReason + ": " : "") + text(f.reason || f.error), "error"); }
  const f = report.feasibility; const box = document.getElementById("feasibility");
  const reasons = document.getElementById("feasibility-reasons"); const advice = document.getElementById("feasibility-recommendations");
  reasons.replaceChildren(); advice.replaceChildren();
  if (f && f.problem) { box.className = "error"; box.textContent = "cannot judge the session log: " + f.problem; }
  else if (f && f.total === 0) { box.className = "muted"; box.textContent = "no sessions recorded yet: nothing to judge"; }
  else if (f) {
    box.className = ""; box.replaceChildren();
    for (const [label, key] of [["Already remote", "remote"], ["Could move", "movable"], ["Cannot move", "blocked"]]) {
      const line = document.createElement("div"); line.dataset.line = key; const name = document.createElement("strong"); name.textContent = label;
      line.append(name, " " + f.headline[key]); box.append(line);
    }
    for (const r of f.reasons) { const li = document.createElement("li"); li.dataset.reason = r.code; li.className = r.blocking ? "error" : "muted"; li.textContent = (r.blocking ? "blocks " : "note ") + r.code + " (" + r.sessions + " sessions): " + r.text; reasons.append(li); }
    for (const r of f.recommendations) { const li = document.createElement("li"); li.textContent = r.text; advice.append(li); }
  }
  const lib = report.library; const jobs = document.getElementById("library"); jobs.replaceChildren();
  if (lib) {
    const t = lib.totals; const gb = (b) => (b / 1e9).toFixed(2) + " GB";
    document.getElementById("library-totals").textContent = t.done + " done, " + gb(t.saved_bytes) + " saved · " + t.failed + " failed · " + t.encoding + " encoding, " + t.queued + " queued · " + t.candidates + " candidates could save " + gb(t.could_save_bytes);
    for (const j of lib.jobs) {
      const row = jobs.insertRow(); cell(row, "#" + j.id + " " + j.codec); cell(row, j.path);
      cell(row, j.state === "encoding" ? (j.percent === null ? "?" : j.percent.toFixed(0)) + " %" + (j.speed === null ? "" : " " + j.speed.toFixed(2) + "×") + (j.eta_s === null ? "" : " ETA " + Math.round(j.eta_s) + " s") : j.state);
      cell(row, j.worker); cell(row, j.note);
    }
  }
}
const events = new EventSource("/events");
events.onmessage = (event) => { const report = JSON.parse(event.data); if (report.workers) render(report); };
events.onerror = () => { document.getElementById("summary").textContent = "plexbeam-server is not answering; retrying…"; };
</script>
</body>
</html>
`;
