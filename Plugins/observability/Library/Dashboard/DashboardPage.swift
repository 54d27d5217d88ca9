import Foundation

/// The dashboard's page, style and script, served from memory (works offline; the plugin is one file).
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>contsec dashboard</title>
    <link rel="stylesheet" href="/dashboard.css">
    </head>
    <body>
    <header><h1>contsec</h1><span id="status" class="muted">loading…</span></header>
    <main>
    <section aria-labelledby="h-findings">
      <h2 id="h-findings">Findings <span class="muted">(latest run of each plugin)</span></h2>
      <div class="tiles" id="totals"></div>
      <table id="findings-by-plugin"><thead><tr><th>plugin</th><th>critical</th><th>high</th><th>medium</th><th>low</th><th>info</th><th>last run</th></tr></thead><tbody></tbody></table>
    </section>
    <section aria-labelledby="h-containers">
      <h2 id="h-containers">Containers</h2>
      <table id="containers"><thead><tr><th>name</th><th>image</th><th>CPU %</th><th></th><th>memory</th><th></th><th>posture</th></tr></thead><tbody></tbody></table>
    </section>
    <section class="two">
      <div><h2>Recent findings</h2><ul id="recent" class="list"></ul></div>
      <div><h2>Runtime events</h2><ul id="events" class="list"></ul></div>
    </section>
    </main>
    <script src="/dashboard.js"></script>
    </body>
    </html>
    """#

    static let css = #"""
    :root { --bg: #f7f7f9; --fg: #1c1e21; --muted: #5f6670; --card: #ffffff; --line: #d9dce1; --accent: #2563eb;
            --critical: #b3122e; --high: #c2410c; --medium: #a16207; --low: #0f766e; --info: #475569; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #111318; --fg: #e6e8eb; --muted: #9aa3ad; --card: #1a1d24; --line: #2c313a; --accent: #60a5fa;
              --critical: #f87171; --high: #fb923c; --medium: #facc15; --low: #2dd4bf; --info: #94a3b8; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
    header { display: flex; align-items: baseline; gap: 1rem; padding: .8rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--card); }
    h1 { margin: 0; font-size: 1.2rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .5rem; }
    main { padding: 0 1.5rem 2rem; }
    .muted { color: var(--muted); font-weight: normal; }
    .tiles { display: flex; gap: .6rem; flex-wrap: wrap; }
    .tile { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; min-width: 7rem; }
    .tile b { display: block; font-size: 1.5rem; }
    .sev-critical b, .sev-critical { color: var(--critical); } .sev-high b, .sev-high { color: var(--high); }
    .sev-medium b, .sev-medium { color: var(--medium); } .sev-low b, .sev-low { color: var(--low); } .sev-info b, .sev-info { color: var(--info); }
    table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin-top: .6rem; }
    th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
    th { color: var(--muted); font-weight: 600; font-size: .85rem; }
    td.num { font-variant-numeric: tabular-nums; }
    svg.spark { width: 120px; height: 28px; } svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
    .badge { display: inline-block; padding: 0 .4rem; margin-right: .25rem; border-radius: 4px; border: 1px solid currentColor; font-size: .8rem; }
    .two { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
    .list { list-style: none; padding: 0; margin: 0; background: var(--card); border: 1px solid var(--line); max-height: 20rem; overflow: auto; }
    .list li { padding: .3rem .6rem; border-bottom: 1px solid var(--line); }
    @media (max-width: 800px) { .two { grid-template-columns: 1fr; } }
    """#

    static let js = #"""
    "use strict";
    const SEVERITIES = ["critical", "high", "medium", "low", "info"];
    function el(tag, attrs, ...children) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
      for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      return e;
    }
    function spark(values, max) {
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("class", "spark"); svg.setAttribute("viewBox", "0 0 120 28"); svg.setAttribute("role", "img");
      const top = Math.max(max || 0, ...values, 1e-9);
      const step = values.length > 1 ? 120 / (values.length - 1) : 0;
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", values.map((v, i) => `${(i * step).toFixed(1)},${(27 - (v / top) * 26).toFixed(1)}`).join(" "));
      svg.append(line);
      return svg;
    }
    function bytes(n) {
      const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
      while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
      return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
    }
    async function json(path) {
      const r = await fetch(path, { cache: "no-store" });
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      return r.json();
    }
    function renderFindings(f) {
      const totals = document.getElementById("totals");
      totals.replaceChildren(...SEVERITIES.map(s => el("div", { class: `tile sev-${s}`, id: `count-${s}` }, el("b", {}, f.totals[s] || 0), s)));
      const body = document.querySelector("#findings-by-plugin tbody");
      body.replaceChildren(...f.plugins.map(p => el("tr", { "data-plugin": p.plugin }, p.plugin,
        ...SEVERITIES.map(s => el("td", { class: `num sev-${s}` }, p.counts[s] || 0)), el("td", { class: "muted" }, p.time))));
      for (const tr of body.children) { const name = tr.firstChild; tr.replaceChild(el("td", {}, name.textContent), name); }
      document.getElementById("recent").replaceChildren(...f.recent.map(r =>
        el("li", {}, el("span", { class: `badge sev-${r.severity}` }, r.severity), `${r.plugin}: ${r.text}`)));
    }
    function renderContainers(list) {
      const body = document.querySelector("#containers tbody");
      body.replaceChildren(...list.map(c => {
        const cpu = c.cpu.length ? c.cpu[c.cpu.length - 1] : 0;
        const mem = c.memory.length ? c.memory[c.memory.length - 1] : 0;
        const flags = [];
        if (c.posture.privileged) flags.push(el("span", { class: "badge sev-critical" }, "privileged"));
        if (c.posture.seccompUnconfined) flags.push(el("span", { class: "badge sev-high" }, "no seccomp"));
        for (const ns of c.posture.hostNamespaces) flags.push(el("span", { class: "badge sev-high" }, `host ${ns}`));
        if (c.posture.capAdd.length) flags.push(el("span", { class: "badge sev-medium" }, `+${c.posture.capAdd.join(",")}`));
        if (c.posture.root) flags.push(el("span", { class: "badge sev-info" }, "root"));
        return el("tr", { "data-name": c.name }, el("td", {}, c.name), el("td", { class: "muted" }, c.image),
          el("td", { class: "num" }, cpu.toFixed(1)), el("td", {}, spark(c.cpu, 100)),
          el("td", { class: "num" }, bytes(mem) + (c.memoryLimit ? ` / ${bytes(c.memoryLimit)}` : "")),
          el("td", {}, spark(c.memory, c.memoryLimit)), el("td", {}, ...flags));
      }));
    }
    function renderEvents(events) {
      document.getElementById("events").replaceChildren(...events.slice(0, 50).map(e =>
        el("li", {}, el("span", { class: "muted" }, e.time.replace("T", " ").replace("Z", "")), ` ${e.container} `, el("b", {}, e.action))));
    }
    async function refresh() {
      try {
        const [c, f, e] = await Promise.all([json("/api/containers"), json("/api/findings"), json("/api/events")]);
        renderContainers(c.containers); renderFindings(f); renderEvents(e.events);
        document.getElementById("status").textContent = `${c.containers.length} containers · updated ${new Date().toLocaleTimeString()}`;
      } catch (err) {
        document.getElementById("status").textContent = `update failed: ${err.message}`;
      }
    }
    refresh();
    setInterval(refresh, 2000);
    """#
}
