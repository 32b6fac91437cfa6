// Squall's dashboard: makes the server-rendered pages live. No framework, no build step.
// - overview: the counts, figures and chart follow GET /events (Server-Sent Events, one stats frame
//   a second); when the stream fails or goes silent, GET /stats is polled every 2 s instead.
//   Nothing runs while the tab is hidden.
// - jobs and job pages: retry and cancel buttons (one job, a selection, or all a filter matches),
//   each confirmed first; with a browser session they send its CSRF token.
"use strict";

(function () {
  const page = document.body.dataset.page;
  const csrfMeta = document.querySelector('meta[name="squall-csrf"]');
  const csrf = csrfMeta ? csrfMeta.content : null;
  const badge = document.getElementById("badge");

  function setBadge(text, kind) {
    if (badge) {
      badge.textContent = text;
      badge.className = "badge " + kind;
    }
  }

  function send(method, url, body) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-Squall-Csrf"] = csrf;
    return fetch(url, {method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin"}).then(function (r) {
      return r.text().then(function (t) {
        let json = null;
        try { json = t ? JSON.parse(t) : null; } catch (e) { json = null; }
        if (!r.ok) throw new Error((json && json.detail) || ("HTTP " + r.status));
        return json;
      });
    });
  }

  function say(text, bad) {
    const out = document.getElementById("bulk-result");
    if (out) {
      out.textContent = text;
      out.className = bad ? "error" : "ok";
    }
  }

  // ---------- the overview ----------

  function ms(v) {
    if (v === null || v === undefined) return "-";
    return v < 10 ? v.toFixed(1) + " ms" : v < 10000 ? Math.round(v) + " ms" : (v / 1000).toFixed(1) + " s";
  }

  function percentiles(p) {
    return p ? ms(p.p50) + " / " + ms(p.p95) + " / " + ms(p.p99) : "no attempt in the last minute";
  }

  function seconds(s, waiting) {
    if (!s) return waiting > 0 ? "none due yet" : "none waiting";
    if (s < 120) return s.toFixed(1) + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }

  function text(testId, value) {
    const el = document.querySelector('[data-testid="' + testId + '"]');
    if (el && el.textContent !== String(value)) el.textContent = value;
  }

  const SERIES = ["succeeded", "failed", "dead", "accepted"];
  let chart = null;
  let points = null; // [times, succeeded, failed, dead, accepted]

  function chartWidth() {
    const el = document.getElementById("chart");
    return el ? Math.max(300, el.clientWidth - 8) : 600;
  }

  function startChart(history) {
    const el = document.getElementById("chart");
    if (!el || typeof uPlot === "undefined") return;
    points = [[], [], [], [], []];
    history.forEach(addPoint);
    const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = {stroke: dark ? "#bbb" : "#333", grid: {stroke: dark ? "#333" : "#e5e5e5"}};
    chart = new uPlot({
      width: chartWidth(), height: 220,
      series: [{}, {label: "succeeded", stroke: "#2e9d52", width: 2}, {label: "failed", stroke: "#d08a00", width: 2},
        {label: "dead", stroke: "#c62828", width: 2}, {label: "accepted", stroke: "#3f6fd8", width: 1, dash: [4, 4]}],
      axes: [axis, axis],
      scales: {x: {time: true}},
    }, points, el);
    window.addEventListener("resize", function () { chart.setSize({width: chartWidth(), height: 220}); });
  }

  function addPoint(sec) {
    if (!points) return;
    const last = points[0].length ? points[0][points[0].length - 1] : 0;
    if (sec.t <= last) return;
    points[0].push(sec.t);
    SERIES.forEach(function (name, i) { points[i + 1].push(sec[name]); });
    while (points[0].length > 600) points.forEach(function (p) { p.shift(); });
  }

  function showStats(s) {
    Object.keys(s.states).forEach(function (state) { text("count-" + state, s.states[state]); });
    text("counted-at", s.counted_at || "not yet");
    text("wait", percentiles(s.wait_ms));
    text("run", percentiles(s.run_ms));
    const sat = s.capacity ? s.waiting / s.capacity : 0;
    const meter = document.getElementById("saturation-meter");
    if (meter) meter.value = Math.min(1, sat);
    text("saturation", s.waiting + " / " + s.capacity + " (" + (sat * 100).toFixed(sat < 0.01 ? 2 : 0) + "%)");
    text("oldest", seconds(s.oldest_waiting_seconds, s.waiting));
    text("intake", s.last_second.accepted + " jobs/s");
    text("rejected", s.totals.rejected);
    const lanes = document.querySelector('[data-testid="lanes"] tbody');
    if (lanes) {
      lanes.replaceChildren.apply(lanes, s.lanes.map(function (l) {
        const tr = document.createElement("tr");
        [l.queues, l.busy, l.workers].forEach(function (v) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.appendChild(td);
        });
        return tr;
      }));
    }
    const nodes = document.querySelector('[data-testid="nodes"] tbody');
    if (nodes && s.nodes.length) {
      document.getElementById("nodes-panel").hidden = false;
      nodes.replaceChildren.apply(nodes, s.nodes.map(function (n) {
        const tr = document.createElement("tr");
        [n.id, n.heartbeat_at].forEach(function (v) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.appendChild(td);
        });
        return tr;
      }));
    }
    addPoint(s.last_second);
    if (chart) chart.setData(points);
  }

  // Live updates: the stream while the tab is visible; polling when the stream fails or is silent.
  let stream = null;
  let errors = 0;
  let lastFrame = 0;
  let poller = null;
  let watchdog = null;

  function poll() {
    fetch("/stats", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      showStats(s);
      setBadge("polling", "polling");
    }).catch(function () { setBadge("offline", "offline"); });
  }

  function startPolling() {
    if (stream) { stream.close(); stream = null; }
    if (watchdog) { clearInterval(watchdog); watchdog = null; }
    if (!poller) {
      poll();
      poller = setInterval(poll, 2000);
    }
  }

  function connect() {
    if (document.hidden) return;
    if (typeof EventSource === "undefined") { startPolling(); return; }
    stream = new EventSource("/events");
    const opened = Date.now();
    setBadge("connecting", "connecting");
    stream.addEventListener("stats", function (e) {
      errors = 0;
      lastFrame = Date.now();
      setBadge("live", "live");
      showStats(JSON.parse(e.data));
    });
    stream.onerror = function () {
      errors++;
      setBadge("reconnecting", "connecting");
      // A refused stream (a 503: too many open) is closed for good by the browser: poll at once.
      if (errors >= 3 || (stream && stream.readyState === EventSource.CLOSED)) startPolling();
    };
    watchdog = setInterval(function () {
      // No frame for 10 s, or none since the stream opened 10 s ago: a proxy that buffers the stream.
      if (stream && Date.now() - (lastFrame || opened) > 10000) startPolling();
    }, 2000);
  }

  function pause() {
    if (stream) { stream.close(); stream = null; }
    if (poller) { clearInterval(poller); poller = null; }
    if (watchdog) { clearInterval(watchdog); watchdog = null; }
    setBadge("paused", "paused");
  }

  if (page === "overview") {
    fetch("/stats?history=1", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      startChart(s.history || []);
      showStats(s);
    }).catch(function () { startChart([]); });
    connect();
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { pause(); } else { errors = 0; lastFrame = 0; connect(); }
    });
  }

  // ---------- the job list and one job ----------

  function selectedIds() {
    return Array.prototype.map.call(document.querySelectorAll('input[name="select"]:checked'), function (c) { return c.value; });
  }

  function bulk(verb, body, what) {
    if (!window.confirm((verb === "retry" ? "Retry " : "Cancel ") + what + "?")) return;
    send("POST", "/jobs/" + verb, body).then(function (r) {
      say((verb === "retry" ? "Retried " : "Cancelled ") + r.changed + " of " + r.matched + (r.skipped_count ? " (" + r.skipped_count
        + " skipped: not " + (verb === "retry" ? "dead" : "waiting") + " or gone)" : "") + (r.more ? "; more match: press again" : ""));
      setTimeout(function () { location.reload(); }, 800);
    }).catch(function (e) { say(e.message, true); });
  }

  function one(action, id) {
    if (!window.confirm((action === "retry" ? "Retry" : "Cancel") + " job " + id + "?")) return;
    const url = "/jobs/" + encodeURIComponent(id) + (action === "retry" ? "/retry" : "");
    send(action === "retry" ? "POST" : "DELETE", url).then(function (job) {
      say((action === "retry" ? "Retried: " : "Cancelled: ") + job.id + " is " + job.state);
      if (page === "jobs") setTimeout(function () { location.reload(); }, 500);
    }).catch(function (e) { say(e.message, true); });
  }

  document.addEventListener("click", function (e) {
    const el = e.target.closest("[data-action]");
    if (!el) return;
    const action = el.dataset.action;
    const box = document.querySelector(".bulk");
    const filter = box ? JSON.parse(box.dataset.filter || "{}") : {};
    if (action === "select-all") {
      document.querySelectorAll('input[name="select"]').forEach(function (c) { c.checked = el.checked; });
    } else if (action === "retry" || action === "cancel") {
      one(action, el.dataset.id);
    } else if (action === "retry-selected" || action === "cancel-selected") {
      const ids = selectedIds();
      if (!ids.length) { say("Select jobs first.", true); return; }
      bulk(action.split("-")[0], {ids: ids}, ids.length + " selected job" + (ids.length === 1 ? "" : "s"));
    } else if (action === "retry-filter" || action === "cancel-filter") {
      const verb = action.split("-")[0];
      const f = Object.assign({}, filter);
      if (verb === "retry" && f.state && f.state !== "dead") { say("Only dead jobs can be retried: filter by state dead.", true); return; }
      if (verb === "cancel" && f.state && f.state !== "queued" && f.state !== "failed") {
        say("Only waiting jobs (queued, failed) can be cancelled.", true);
        return;
      }
      bulk(verb, {filter: f}, "every " + (verb === "retry" ? "dead" : "waiting") + " job this filter matches (up to 1000)");
    }
  });

  // One job's page follows its job: it reloads when the job changes state.
  if (page === "job") {
    const h = document.querySelector("h1[data-id]");
    const shown = document.querySelector('[data-testid="job-state"]');
    let timer = null;
    const pollJob = function () { // without a stream: look at the job every 2 s, reload when it changed
      setBadge("polling", "polling");
      timer = setInterval(function () {
        fetch("/jobs/" + encodeURIComponent(h.dataset.id), {credentials: "same-origin"}).then(function (r) { return r.json(); })
          .then(function (job) { if (shown && job.state !== shown.textContent) location.reload(); })
          .catch(function () { setBadge("offline", "offline"); });
      }, 2000);
    };
    if (h && typeof EventSource !== "undefined") {
      const es = new EventSource("/events?id=" + encodeURIComponent(h.dataset.id));
      es.addEventListener("stats", function () { setBadge("live", "live"); });
      es.addEventListener("job", function () { es.close(); setTimeout(function () { location.reload(); }, 300); });
      es.onerror = function () {
        setBadge("reconnecting", "connecting");
        if (es.readyState === EventSource.CLOSED && !timer) pollJob();
      };
      document.addEventListener("visibilitychange", function () {
        if (document.hidden) { es.close(); if (timer) clearInterval(timer); } else { location.reload(); }
      });
    } else if (h) {
      pollJob();
    }
  }
})();
