// The entity page's link chart. No inline script or style anywhere (the CSP forbids
// both): this file is loaded after #chart, reads the neighbourhood from data-graph-json, which
// the server already filtered for this viewer, and draws it. The chart adds nothing the
// neighbour list under it does not say; it is a picture of the same data.
(function () {
  "use strict";
  var chart = document.getElementById("chart");
  if (!chart || !chart.getAttribute("data-graph-json")) return;

  function say(text) {
    chart.textContent = "";
    var p = document.createElement("p");
    p.className = "chart-note";
    p.textContent = text;
    chart.appendChild(p);
  }

  // A node's colour is its mention colour in style.css, read back from a probe so the two never drift.
  var colours = {};
  function colourOf(type) {
    if (!(type in colours)) {
      var probe = document.createElement("span");
      probe.className = "m m-" + String(type).replace(/[^a-z_]/gi, "");
      probe.hidden = true;
      document.body.appendChild(probe);
      var bg = window.getComputedStyle(probe).backgroundColor;
      document.body.removeChild(probe);
      colours[type] = bg && bg !== "rgba(0, 0, 0, 0)" && bg !== "transparent" ? bg : "#eef0f4";
    }
    return colours[type];
  }

  function draw(entity) {
    var graph = entity.graph || { nodes: [], edges: [] };
    if (typeof window.cytoscape !== "function") {
      say("The link chart library is missing (run `make assets`); the list below has the same links.");
      return;
    }
    if (graph.nodes.length < 2) {
      say("No other entity shares a document you may read with this one.");
      chart.setAttribute("data-rendered", String(graph.nodes.length));
      return;
    }
    // Cytoscape adds a <style> element for its container unless one with this id exists; under
    // style-src 'self' that element would be refused. style.css carries the rule instead.
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      var marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.appendChild(marker);
    }
    var centre = entity.id;
    var maxWeight = 1;
    graph.edges.forEach(function (e) { if (e.weight) maxWeight = Math.max(maxWeight, e.weight); });
    // Neighbours come heaviest first. They go on rings round the centre, the most often named on the
    // inner ring; each ring is turned part of a step against the others so labels do not stack.
    var position = {}, ringOf = {}, rings = [], sizes = [10, 14, 18, 24];
    graph.nodes.forEach(function (n) {
      if (n.id === centre) return;
      var last = rings[rings.length - 1];
      if (!last || last.length >= (sizes[rings.length - 1] || 30)) rings.push(last = []);
      last.push(n.id);
    });
    var radius = 0, SPACING = 95;
    position[centre] = { x: 0, y: 0 };
    rings.forEach(function (ids, k) {
      radius = Math.max(radius + (k ? SPACING : 120), ids.length * SPACING / (2 * Math.PI));
      ids.forEach(function (id, j) {
        var angle = -Math.PI / 2 + 2 * Math.PI * (j + [0, 0.5, 0.25, 0.75][k % 4]) / ids.length;
        position[id] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
        ringOf[id] = k;
      });
    });
    var elements = graph.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label || n.id, type: n.type, colour: colourOf(n.type),
                                       href: n.href || "/entities/" + encodeURIComponent(n.id) },
               position: position[n.id], classes: n.id === centre ? "centre" : "" };
    }).concat(graph.edges.map(function (e, i) {
      // an edge to a case has no count: the entity is in that case
      return { group: "edges", data: { id: "e" + i, source: e.from, target: e.to,
                                       label: e.weight ? String(e.weight) : "",
                                       width: e.weight ? 1 + 5 * e.weight / maxWeight : 1.5 },
               classes: e.weight ? "" : "to-case" };
    }));
    chart.textContent = "";
    if (graph.nodes.length > 25) chart.classList.add("chart-large");
    var cy = window.cytoscape({
      container: chart,
      elements: elements,
      minZoom: 0.3,
      maxZoom: 3,
      boxSelectionEnabled: false,
      style: [
        { selector: "node", style: {
            "background-color": "data(colour)", "border-width": 1, "border-color": "#5b6575",
            "label": "data(label)", "color": "#1d2430", "font-size": 13, "font-family": "system-ui, sans-serif",
            "text-wrap": "wrap", "text-max-width": 130,
            "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
            "width": 26, "height": 26 } },
        { selector: "node.centre", style: {
            "border-width": 3, "border-color": "#2457a6", "width": 40, "height": 40, "font-weight": "bold",
            "font-size": 15, "text-valign": "bottom", "text-margin-y": 4 } },
        // neighbour labels sit on the far side from the centre, clear of the lines
        { selector: "node.above", style: { "text-valign": "top", "text-margin-y": -4 } },
        { selector: "node.below", style: { "text-valign": "bottom", "text-margin-y": 4 } },
        { selector: "node.left", style: { "text-valign": "center", "text-halign": "left", "text-margin-x": -5 } },
        { selector: "node.right", style: { "text-valign": "center", "text-halign": "right", "text-margin-x": 5 } },
        { selector: "node:active", style: { "overlay-opacity": 0.1 } },
        { selector: "node[type = 'case']", style: { "shape": "round-rectangle", "width": 30, "height": 22 } },
        { selector: "edge.to-case", style: { "line-style": "dashed" } },
        // a line's number sits by the neighbour's end, away from the centre's own label
        { selector: "edge", style: {
            "width": "data(width)", "line-color": "#b8c0cc", "curve-style": "straight",
            "target-label": "data(label)", "target-text-offset": 30, "font-size": 11, "color": "#5b6575",
            "text-background-color": "#ffffff", "text-background-opacity": 1, "text-background-padding": 1 } }
      ],
      layout: { name: "preset" }
    });
    // labels point away from the centre; sideways only on the outer ring, where nothing lies beyond
    cy.nodes().forEach(function (node) {
      if (node.id() === centre) return;
      var p = position[node.id()], outer = ringOf[node.id()] === rings.length - 1;
      var sideways = outer && Math.abs(p.x) > 1.5 * Math.abs(p.y);
      node.addClass(sideways ? (p.x < 0 ? "left" : "right") : (p.y < 0 ? "above" : "below"));
    });
    cy.fit(undefined, 24);
    // A small neighbourhood fits the box at a large zoom; keep labels at reading size instead.
    if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); }
    cy.on("tap", "node", function (event) {
      var id = event.target.id();
      if (id !== centre) window.location.assign(event.target.data("href"));
    });
    cy.on("mouseover", "node", function (event) { if (event.target.id() !== centre) chart.classList.add("pointing"); });
    cy.on("mouseout", "node", function () { chart.classList.remove("pointing"); });
    chart.cy = cy; // for the browser tests; not a global
    chart.setAttribute("data-rendered", String(cy.nodes().length));
  }

  // The neighbourhood comes with the page (already filtered for this viewer), so drawing it costs
  // no second request and no second entry in the read audit.
  var graph;
  try {
    graph = JSON.parse(chart.getAttribute("data-graph-json"));
  } catch (error) {
    say("The link chart could not be read; the list below has the same links.");
    return;
  }
  draw({ id: chart.getAttribute("data-centre"), graph: graph });
})();
