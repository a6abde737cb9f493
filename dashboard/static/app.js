/* Tradewind dashboard: the little JavaScript the pages need (no framework, nothing fetched
 * from the internet). Every text a DAG author or a task wrote is set with textContent. */
(function () {
  "use strict";

  var STATE_COLORS = {
    none: "#d3d3d3", scheduled: "#d2b48c", queued: "#808080", running: "#00ff00",
    success: "#008000", failed: "#ff0000", skipped: "#ff69b4", up_for_retry: "#ffd700",
    up_for_reschedule: "#40e0d0", upstream_failed: "#ffa500", removed: "#d3d3d3"
  };
  var SVG = "http://www.w3.org/2000/svg";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " answered " + r.status); }
        return r.json();
      });
  }

  function postForm(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" }
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* -- forms that ask first ------------------------------------------------------------ */
  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  /* -- live pages: reload while a run is active ---------------------------------------- */
  function liveReload() {
    var live = document.querySelector('[data-live="true"]');
    if (!live) { return; }
    window.setTimeout(function () {
      if (!document.hidden) { window.location.reload(); } else { liveReload(); }
    }, 2500);
  }

  /* -- the log of a try, followed while it runs --------------------------------------- */
  function followLog() {
    var pre = document.getElementById("log");
    if (!pre) { return; }
    var status = document.getElementById("log-status");
    var offset = parseInt(pre.getAttribute("data-offset") || "0", 10);
    var follow = pre.getAttribute("data-follow") === "true";
    if (!follow) { return; }
    var base = pre.getAttribute("data-url");
    var tryNumber = pre.getAttribute("data-try");
    var mapIndex = pre.getAttribute("data-map-index");
    var idle = 0;

    function poll() {
      var url = base + "?try=" + encodeURIComponent(tryNumber) + "&map_index=" +
        encodeURIComponent(mapIndex) + "&offset=" + offset;
      getJSON(url).then(function (data) {
        if (data.text) {
          var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
          pre.appendChild(document.createTextNode(data.text));
          if (atBottom) { pre.scrollTop = pre.scrollHeight; }
        }
        offset = data.next_offset;
        if (status) {
          status.textContent = data.running ? "Following the log (" + (data.source || "") + ")…"
            : "Try finished: " + (data.state || "");
        }
        var badge = document.querySelector("#ti-state .state");
        if (!data.running && badge && data.state) {
          badge.textContent = data.state;
          badge.setAttribute("data-state", data.state);
          badge.style.background = STATE_COLORS[data.state] || "#d3d3d3";
          /* the followed try's tab was rendered while it ran: show how it ended there too */
          var tab = document.querySelector('nav.tries a[href$="try=' + tryNumber + '"]');
          if (tab) {
            tab.setAttribute("data-state", data.state);
            var dot = tab.querySelector(".dot");
            if (dot) { dot.style.background = STATE_COLORS[data.state] || "#d3d3d3"; }
          }
        }
        if (data.running || data.text) {
          idle = 0;
          window.setTimeout(poll, 1000);
        } else if (idle++ < 2) {
          window.setTimeout(poll, 1000); /* the last lines may land just after the end */
        } else {
          pre.setAttribute("data-follow", "false");
        }
      }).catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }

  /* -- graph: collapse and expand task groups ----------------------------------------- */
  function graphGroups() {
    var svg = document.getElementById("graph");
    var dataNode = document.getElementById("graph-data");
    if (!svg || !dataNode) { return; }
    var data = JSON.parse(dataNode.textContent);
    var collapsed = {};
    var NODE_W = 180, NODE_H = 34;

    function num(node, name) { return parseFloat(node.getAttribute(name)); }

    function outermostCollapsed(groups) {
      for (var i = 0; i < groups.length; i++) { if (collapsed[groups[i]]) { return groups[i]; } }
      return null;
    }

    function anchor(taskId) {
      var node = svg.querySelector('.node[data-task-id="' + CSS.escape(taskId) + '"]');
      var groups = (node.getAttribute("data-groups") || "").split(" ").filter(Boolean);
      var group = outermostCollapsed(groups);
      if (group) {
        var box = svg.querySelector('.group[data-group="' + CSS.escape(group) + '"]');
        return { id: "g:" + group, x: num(box, "data-x"), y: num(box, "data-y"), w: NODE_W, h: NODE_H };
      }
      return { id: taskId, x: num(node, "data-x"), y: num(node, "data-y"), w: NODE_W, h: NODE_H };
    }

    function redraw() {
      svg.querySelectorAll(".node").forEach(function (node) {
        var groups = (node.getAttribute("data-groups") || "").split(" ").filter(Boolean);
        node.style.display = outermostCollapsed(groups) ? "none" : "";
      });
      svg.querySelectorAll(".group").forEach(function (g) {
        var id = g.getAttribute("data-group");
        var parts = id.split("."), hiddenByParent = false;
        for (var i = 1; i < parts.length; i++) {
          if (collapsed[parts.slice(0, i).join(".")]) { hiddenByParent = true; }
        }
        g.style.display = hiddenByParent ? "none" : "";
        var rect = g.querySelector("rect");
        var label = g.querySelector("text");
        var closed = !!collapsed[id];
        rect.setAttribute("width", closed ? NODE_W : g.getAttribute("data-w"));
        rect.setAttribute("height", closed ? NODE_H : g.getAttribute("data-h"));
        g.classList.toggle("collapsed", closed);
        label.firstChild.textContent = (closed ? "▸ " : "▾ ") + id.split(".").pop();
      });
      var seen = {};
      svg.querySelectorAll(".edge").forEach(function (path) {
        var a = anchor(path.getAttribute("data-source"));
        var b = anchor(path.getAttribute("data-target"));
        var key = a.id + ">" + b.id;
        if (a.id === b.id || seen[key]) { path.style.display = "none"; return; }
        seen[key] = true;
        path.style.display = "";
        var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
        var bend = Math.max(30, (x2 - x1) / 2);
        path.setAttribute("d", "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " +
          (x2 - bend) + "," + y2 + " " + x2 + "," + y2);
      });
    }

    svg.querySelectorAll(".group").forEach(function (g) {
      g.addEventListener("click", function (event) {
        event.stopPropagation();
        var id = g.getAttribute("data-group");
        collapsed[id] = !collapsed[id];
        redraw();
      });
    });
    svg.setAttribute("data-groups-ready", String(data.groups.length));
  }

  /* -- fleet monitor -------------------------------------------------------------------- */

  function drawBars(svg, points, valueOf, color, unit) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
    var left = 34, bottom = 20, top = 8;
    var values = points.map(valueOf);
    var max = Math.max.apply(null, values.concat([1]));
    var step = (w - left - 4) / Math.max(points.length, 1);
    svg.appendChild(svgEl("line", { x1: left, x2: w, y1: h - bottom, y2: h - bottom, "class": "tick" }));
    svg.appendChild(svgEl("text", { x: left - 4, y: top + 8, "text-anchor": "end", "class": "tick-label" },
      max.toFixed(max < 10 ? 1 : 0) + unit));
    svg.appendChild(svgEl("text", { x: left - 4, y: h - bottom, "text-anchor": "end", "class": "tick-label" }, "0"));
    points.forEach(function (p, i) {
      var v = values[i];
      var bh = (h - bottom - top) * v / max;
      var bar = svgEl("rect", { x: left + i * step + 1, y: h - bottom - bh, width: Math.max(step - 2, 1),
        height: bh, fill: color, "data-value": v });
      bar.appendChild(svgEl("title", {}, (p.minute || "").slice(11, 16) + ": " + v.toFixed(1) + unit));
      svg.appendChild(bar);
    });
    if (points.length) {
      svg.appendChild(svgEl("text", { x: left, y: h - 4, "class": "tick-label" }, (points[0].minute || "").slice(11, 16)));
      svg.appendChild(svgEl("text", { x: w - 4, y: h - 4, "text-anchor": "end", "class": "tick-label" },
        (points[points.length - 1].minute || "").slice(11, 16)));
    }
    svg.setAttribute("data-points", String(points.length));
  }

  function drawFleetCharts(stats) {
    var through = document.getElementById("throughput-chart");
    var failure = document.getElementById("failure-chart");
    if (!through || !failure) { return; }
    drawBars(through, stats, function (p) { return (p.success || 0) + (p.failed || 0); }, "#008000", "");
    drawBars(failure, stats, function (p) {
      var total = (p.success || 0) + (p.failed || 0);
      return total ? 100 * (p.failed || 0) / total : 0;
    }, "#ff0000", "%");
    var enqueued = document.getElementById("enqueued-chart");
    var completed = document.getElementById("completed-chart");
    if (enqueued) { drawBars(enqueued, stats, function (p) { return p.enqueued || 0; }, "#808080", ""); }
    if (completed) {
      drawBars(completed, stats, function (p) { return (p.success || 0) + (p.failed || 0); }, "#4682b4", "");
    }
  }

  function tiHref(r) {
    var href = "/dags/" + encodeURIComponent(r.dag_id) + "/runs/" + encodeURIComponent(r.run_id) +
      "/tasks/" + encodeURIComponent(r.task_id);
    return r.map_index >= 0 ? href + "?map_index=" + r.map_index : href;
  }

  function workerActions(w) {
    var td = el("td", { "class": "actions" });
    if (document.getElementById("fleet").getAttribute("data-can-act") !== "true") { return td; }
    var base = "/fleet/workers/" + encodeURIComponent(w.name) + "/";
    function button(label, action, queueInput) {
      var b = el("button", { type: "button" }, label);
      b.addEventListener("click", function () {
        var data = {};
        if (queueInput) { data.queue = queueInput.value; }
        postForm(base + action, data).then(refreshFleet);
      });
      return b;
    }
    td.appendChild(button(w.drain_requested ? "Resume" : "Drain", w.drain_requested ? "resume" : "drain"));
    var add = el("input", { placeholder: "queue", size: "8", "aria-label": "queue to add" });
    td.appendChild(add);
    td.appendChild(button("Subscribe", "subscribe", add));
    var remove = el("select", { "aria-label": "queue to remove" });
    (w.queues || []).forEach(function (q) { remove.appendChild(el("option", {}, q)); });
    td.appendChild(remove);
    td.appendChild(button("Unsubscribe", "unsubscribe", remove));
    return td;
  }

  function renderWorkers(workers) {
    var body = document.querySelector("#workers tbody");
    if (!body) { return; }
    var active = document.activeElement;
    if (active && body.contains(active) && active.tagName !== "BUTTON") { return; } /* typing */
    while (body.firstChild) { body.removeChild(body.firstChild); }
    if (!workers.length) {
      var empty = el("tr", { "class": "empty" });
      empty.appendChild(el("td", { colspan: "9", "class": "muted" }, "No workers have registered."));
      body.appendChild(empty);
    }
    workers.forEach(function (w) {
      var tr = el("tr", { "data-worker": w.name, "class": w.online ? "online" : "offline" });
      tr.appendChild(el("td", {}, w.name));
      tr.appendChild(el("td", {}, w.hostname));
      var status = el("td");
      status.appendChild(el("span", { "class": "status status-" + w.status }, w.status));
      if (w.drain_requested) { status.appendChild(el("span", { "class": "muted" }, " (drain asked)")); }
      tr.appendChild(status);
      var queues = el("td", {}, (w.queues || []).join(", "));
      if (w.wanted_queues) { queues.appendChild(el("span", { "class": "muted" }, " → " + w.wanted_queues.join(", "))); }
      tr.appendChild(queues);
      tr.appendChild(el("td", {}, w.concurrency));
      var running = el("td", {}, w.tries_running);
      (w.running || []).forEach(function (r) {
        running.appendChild(el("br"));
        running.appendChild(el("a", { href: tiHref(r) }, r.dag_id + "." + r.task_id));
      });
      tr.appendChild(running);
      tr.appendChild(el("td", {}, Number(w.load_1m || 0).toFixed(2)));
      tr.appendChild(el("td", {}, w.heartbeat_age + " s ago"));
      tr.appendChild(workerActions(w));
      body.appendChild(tr);
    });
  }

  function renderQueues(queues) {
    var body = document.querySelector("#queues tbody");
    if (!body) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    queues.forEach(function (q) {
      var tr = el("tr", { "data-queue": q.queue });
      [q.queue, q.depth, q.in_flight === null || q.in_flight === undefined ? "?" : q.in_flight,
        q.consumers, q.enqueued_per_min, q.completed_per_min].forEach(function (v) {
        tr.appendChild(el("td", {}, v === undefined ? "" : v));
      });
      body.appendChild(tr);
    });
    if (!queues.length) {
      var empty = el("tr", { "class": "empty" });
      empty.appendChild(el("td", { colspan: "6", "class": "muted" }, "No queues in use."));
      body.appendChild(empty);
    }
  }

  function listOf(data, key) {
    if (Array.isArray(data)) { return data; }
    return (data && (data[key] || data.items)) || [];
  }

  /* The REST API's fleet endpoints when they answer, else the page's own snapshot. */
  function loadFleet() {
    return Promise.all([
      getJSON("/api/v1/workers"), getJSON("/api/v1/queues"), getJSON("/api/v1/fleet/stats")
    ]).then(function (parts) {
      var stats = parts[2];
      var buckets = listOf(stats, "buckets");
      if (!buckets.length && stats && stats.stats) { buckets = listOf(stats.stats, "buckets"); }
      return { workers: listOf(parts[0], "workers"), queues: listOf(parts[1], "queues"), stats: buckets };
    }).catch(function () { return getJSON("/fleet/data.json"); });
  }

  function refreshFleet() {
    return loadFleet().then(function (snap) {
      renderWorkers(snap.workers || []);
      renderQueues(snap.queues || []);
      if (snap.stats && snap.stats.length) { drawFleetCharts(snap.stats); }
      var stamp = document.getElementById("fleet-updated");
      if (stamp) { stamp.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC"; }
      document.getElementById("fleet").setAttribute("data-refreshes",
        String(parseInt(document.getElementById("fleet").getAttribute("data-refreshes") || "0", 10) + 1));
    }).catch(function () { /* keep what the page shows */ });
  }

  function fleetMonitor() {
    var section = document.getElementById("fleet");
    var initial = document.getElementById("fleet-data");
    if (!section || !initial) { return; }
    var snap = JSON.parse(initial.textContent);
    drawFleetCharts(snap.stats || []);
    window.setInterval(function () { if (!document.hidden) { refreshFleet(); } }, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    confirmForms();
    liveReload();
    followLog();
    graphGroups();
    fleetMonitor();
  });
})();
