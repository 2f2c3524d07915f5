/* Ningbo District Scenario Planner: the web map's layers, built from the JSON the page embeds (#webmap-data).
 *
 * Rules this script keeps (planner/reports/webmap.py): every figure is a string made in Python from summary();
 * text from the data is only ever set with textContent (never innerHTML), so a name holding markup shows as text;
 * nothing here asks for a URL. window.NingboWebmap exposes the map and its layers (for a test or a curious user).
 */
(function () {
  "use strict";
  var started = performance.now();
  var DATA = JSON.parse(document.getElementById("webmap-data").textContent);
  var api = { data: DATA, map: null, layers: {}, timings: { start: Math.round(started), parse: Math.round(performance.now() - started) } };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* A popup's content: a title, a subtitle and a two-column table; each value cell carries its summary key. */
  function card(title, subtitle, rows) {
    var box = el("div", "wm-card");
    box.appendChild(el("div", "wm-card-title", title));
    if (subtitle) box.appendChild(el("div", "wm-card-subtitle", subtitle));
    var table = el("table", "wm-card-table");
    (rows || []).forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      var td = el("td", null, r[1]);
      if (r[2]) td.setAttribute("data-key", r[2]);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function featureCard(feature) {
    var p = feature.properties;
    return card(p.title, p.subtitle, p.rows);
  }

  function tooltipText(text) {
    return el("span", "wm-tooltip-text", text);
  }

  api.setup = function (map) {
    api.timings.setup = Math.round(performance.now());
    api.map = map;
    var panes = [["wm-districts", 350], ["wm-coverage", 380], ["wm-zones", 410], ["wm-sites", 430],
      ["wm-parks", 600], ["wm-labels", 620]];
    panes.forEach(function (p) {
      map.createPane(p[0]).style.zIndex = String(p[1]);
    });
    map.getPane("wm-labels").style.pointerEvents = "none";
    map.getContainer().classList.add(DATA.basemap === "none" ? "wm-no-tiles" : "wm-tiles");
    map.fitBounds(DATA.bounds, { padding: [10, 10] });
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Leaflet");
    addTitle(map);
    addLegend(map);
  };

  function addTitle(map) {
    var t = DATA.title;
    var box = el("div", "wm-title");
    box.id = "webmap-title";
    box.appendChild(el("div", "wm-title-main", t.title));
    box.appendChild(el("div", "wm-title-sub", t.subtitle));
    t.lines.forEach(function (line) { box.appendChild(el("div", "wm-title-line", line)); });
    t.notices.forEach(function (n) { box.appendChild(el("div", "wm-notice", n)); });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    map.getContainer().appendChild(box);
  }

  function addLegend(map) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = el("div", "wm-legend leaflet-bar");
      box.id = "webmap-legend";
      box.appendChild(el("div", "wm-legend-title", "图例"));
      DATA.legend.forEach(function (section) {
        box.appendChild(el("div", "wm-legend-section", section.title));
        section.entries.forEach(function (e) {
          var row = el("div", "wm-legend-row");
          var key = el("span", "wm-key wm-key-" + e[0]);
          if (e[0] === "dash" || e[0] === "line") key.style.borderColor = e[1];
          else key.style.background = e[1];
          row.appendChild(key);
          row.appendChild(el("span", "wm-legend-label", e[2]));
          box.appendChild(row);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  var tiles = DATA.basemap !== "none";

  function districts() {
    var layer = L.geoJSON(DATA.districts, {
      pane: "wm-districts",
      style: function (f) {
        return { color: "#4d4d4d", weight: 1.2, fillColor: f.properties.colour, fillOpacity: tiles ? 0.35 : 0.85 };
      },
      onEachFeature: function (f, l) {
        l.bindPopup(function () { return featureCard(f); }, { maxWidth: 360 });
        l.bindTooltip(tooltipText(f.properties.title), { sticky: true });
      },
    });
    return layer;
  }

  function labels() {
    var group = L.layerGroup();
    DATA.districts.features.forEach(function (f) {
      var html = el("div", "wm-label");
      html.appendChild(el("div", "wm-label-name", f.properties.title));
      if (f.properties.product) html.appendChild(el("div", "wm-label-product", f.properties.product));
      var icon = L.divIcon({ className: "wm-label-icon", html: html, iconSize: null });
      L.marker(f.properties.label_at, { icon: icon, pane: "wm-labels", interactive: false, keyboard: false })
        .addTo(group);
    });
    return group;
  }

  function outlines(collection, pane, dashed) {
    return L.geoJSON(collection, {
      pane: pane,
      style: function (f) {
        return { color: f.properties.colour, weight: dashed ? 2.2 : 1.2, dashArray: dashed ? "6 4" : null,
          fillColor: f.properties.colour, fillOpacity: dashed ? 0.12 : 0.08 };
      },
      onEachFeature: function (f, l) {
        l.bindPopup(function () { return featureCard(f); }, { maxWidth: 360 });
        l.bindTooltip(tooltipText(f.properties.title), { sticky: true });
      },
    });
  }

  function parks() {
    return L.geoJSON(DATA.parks, {
      pane: "wm-parks",
      pointToLayer: function (f, latlng) {
        var sck = f.properties.sck;
        var icon = L.divIcon({ className: sck ? "wm-park wm-park-sck" : "wm-park", iconSize: sck ? [16, 16] : [12, 12] });
        return L.marker(latlng, { icon: icon, pane: "wm-parks", riseOnHover: true });
      },
      style: function (f) {
        var c = f.properties.sck ? DATA.colours.sck : DATA.colours.park;
        return { color: c, weight: 2, fillColor: c, fillOpacity: 0.3 };
      },
      onEachFeature: function (f, l) {
        l.bindPopup(function () { return featureCard(f); }, { maxWidth: 360 });
        l.bindTooltip(tooltipText(f.properties.title), { direction: "top", offset: [0, -8] });
      },
    });
  }

  /* ~42,000 sites: ONE canvas of this layer's own, drawn in a single pass per view (one path per site kind), with
   * no object, DOM element or closure per site. Positions are projected to Web Mercator once; a redraw is plain
   * arithmetic. A click is hit-tested against all sites (a few thousand operations per ms) in the capture phase,
   * before the districts beneath get it, and opens one shared popup filled from the columns. */
  var TWO_PI_R = 2 * Math.PI * 6378137;
  var PAD = 0.15; // share of the view drawn beyond each edge, so a short pan shows no blank strip

  var SiteDots = L.Layer.extend({
    options: { pane: "wm-sites", tolerance: 5 },

    initialize: function (s) {
      var n = s.id.length;
      this._s = s;
      this._u = new Float64Array(n); // Web Mercator, as a share of the world: pixel = share × 256 × 2^zoom
      this._v = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        var p = L.Projection.SphericalMercator.project(L.latLng(s.lat[i] / s.scale, s.lon[i] / s.scale));
        this._u[i] = 0.5 + p.x / TWO_PI_R;
        this._v[i] = 0.5 - p.y / TWO_PI_R;
      }
      this._onDomClick = this._onDomClick.bind(this);
    },

    count: function () { return this._s.id.length; },

    onAdd: function (map) {
      var c = (this._canvas = L.DomUtil.create("canvas", "wm-sites-canvas"));
      if (map.options.zoomAnimation && L.Browser.any3d) L.DomUtil.addClass(c, "leaflet-zoom-animated");
      this.getPane().appendChild(c);
      map.getContainer().addEventListener("click", this._onDomClick, true);
      this._redraw();
    },

    onRemove: function (map) {
      map.getContainer().removeEventListener("click", this._onDomClick, true);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
    },

    getEvents: function () {
      var events = { moveend: this._redraw, viewreset: this._redraw, resize: this._redraw };
      if (this._map.options.zoomAnimation && this._map._getNewPixelOrigin) events.zoomanim = this._animateZoom;
      return events;
    },

    /* During a zoom animation the drawn canvas is scaled like Leaflet's own renderers (Renderer._updateTransform). */
    _animateZoom: function (e) {
      var map = this._map;
      var scale = map.getZoomScale(e.zoom, this._zoom);
      var offset = this._min.multiplyBy(scale).subtract(
        map._getNewPixelOrigin(e.center, e.zoom).subtract(this._origin.multiplyBy(scale)));
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    _redraw: function () {
      var map = this._map, c = this._canvas;
      if (!map || !c) return;
      var size = map.getSize(), dpr = window.devicePixelRatio || 1;
      var min = map.containerPointToLayerPoint(size.multiplyBy(-PAD)).round();
      var w = Math.round(size.x * (1 + 2 * PAD)), h = Math.round(size.y * (1 + 2 * PAD));
      this._min = min;
      this._origin = map.getPixelOrigin();
      this._zoom = map.getZoom();
      L.DomUtil.setPosition(c, min);
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = w + "px";
      c.style.height = h + "px";
      var ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      var s = this._s, u = this._u, v = this._v, n = s.id.length;
      var world = 256 * Math.pow(2, this._zoom);
      var ox = this._origin.x + min.x, oy = this._origin.y + min.y; // canvas (0, 0) in world pixels
      var f = dotScale(this._zoom);
      for (var k = 0; k < s.kinds.length; k++) {
        var r = s.kinds[k][3] * f;
        ctx.fillStyle = s.kinds[k][2];
        ctx.globalAlpha = 0.65;
        ctx.beginPath();
        for (var i = 0; i < n; i++) {
          if (s.kind[i] !== k) continue;
          var x = u[i] * world - ox, y = v[i] * world - oy;
          if (x < -r || y < -r || x > w + r || y > h + r) continue;
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
        }
        ctx.fill();
      }
      this.drawn = Date.now();
    },

    /* The nearest site within the tolerance of a container point, or -1. */
    siteAt: function (point) {
      var map = this._map, s = this._s, u = this._u, v = this._v;
      var world = 256 * Math.pow(2, map.getZoom());
      var p = map.containerPointToLayerPoint(point).add(map.getPixelOrigin());
      var best = -1, bestD = Infinity, tol = this.options.tolerance + 0.0;
      for (var i = 0; i < s.id.length; i++) {
        var dx = u[i] * world - p.x, dy = v[i] * world - p.y;
        if (dx > tol || dx < -tol || dy > tol || dy < -tol) continue;
        var d = dx * dx + dy * dy;
        if (d <= bestD) { best = i; bestD = d; } // <=: the one drawn last (on top) wins a tie
      }
      return bestD <= tol * tol ? best : -1;
    },

    /* Open the popup of site number i (in the data's order). */
    openSite: function (i) {
      var s = this._s;
      var rows = [
        ["类型", s.kinds[s.kind[i]][1], "kind"],
        ["运营商", s.operators[s.operator[i]], "operator"],
        ["频段", s.band[i] + " MHz", "band_mhz"],
        ["投运年份", String(s.year[i]), "open_year"],
        ["来源", s.sources[s.source[i]], "source"],
      ];
      return L.popup({ maxWidth: 320 }).setLatLng([s.lat[i] / s.scale, s.lon[i] / s.scale])
        .setContent(card(s.id[i], "5G 站点", rows)).openOn(this._map);
    },

    _onDomClick: function (e) {
      var map = this._map, t = e.target;
      // Only clicks on the map's drawing surface: a park marker, a popup or a control keeps its own click.
      if (!map || (t !== map.getContainer() && t.tagName !== "CANVAS")) return;
      if (map.dragging && map.dragging.moved()) return;
      var i = this.siteAt(map.mouseEventToContainerPoint(e));
      if (i < 0) return;
      e.stopPropagation(); // the district under the site does not open its popup as well
      this.openSite(i);
    },
  });

  // Dots grow with the zoom: at the city view 42,000 full-size dots would hide the districts beneath them.
  function dotScale(zoom) {
    return zoom <= 9 ? 0.6 : zoom === 10 ? 0.8 : zoom === 11 ? 1 : zoom === 12 ? 1.35 : 1.8;
  }

  function sites() {
    return new SiteDots(DATA.sites);
  }

  function coverage(key) {
    var c = DATA.coverage[key];
    return L.imageOverlay(c.url, c.bounds, { pane: "wm-coverage", opacity: 1, interactive: false,
      className: "wm-coverage-image" });
  }

  var builders = {
    districts: districts, labels: labels, parks: parks, sites: sites,
    zones: function () { return outlines(DATA.zones, "wm-zones", true); },
    f5g_zones: function () { return outlines(DATA.f5g_zones, "wm-zones", false); },
    blank: function () { return L.layerGroup(); },
  };

  /* The layer called `key` ("districts", "coverage:5g", …), made once and remembered in api.layers. */
  api.layer = function (key) {
    var start = performance.now();
    var layer = key.indexOf("coverage:") === 0 ? coverage(key.slice(9)) : builders[key]();
    api.timings[key] = Math.round(performance.now() - start);
    api.layers[key] = layer;
    return layer;
  };

  /* Called last: says on the root element that the map is built, when, and which layers it shows. */
  api.ready = function () {
    var root = document.documentElement;
    var shown = Object.keys(api.layers).filter(function (k) { return api.map.hasLayer(api.layers[k]); });
    root.setAttribute("data-webmap-layers", Object.keys(api.layers).join(" "));
    root.setAttribute("data-webmap-shown", shown.join(" "));
    api.timings.before_ready = Math.round(performance.now());
    root.setAttribute("data-webmap-timings", JSON.stringify(api.timings));
    root.setAttribute("data-webmap-ready", String(Math.round(performance.now())));
  };

  window.NingboWebmap = api;
})();
