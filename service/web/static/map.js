// meetscout: the search results on a map, beside the list, synced both ways.
// Leaflet is served by meetscout (static/vendor/leaflet, from npm); tiles come from
// OpenStreetMap with its attribution. The list works without any of it: without
// JavaScript, without Leaflet, and where tiles cannot load (the map says so).
"use strict";

(function () {
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION =
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
  var PLAIN = { radius: 7, weight: 2, color: "#0b5394", fillColor: "#3d85c6", fillOpacity: 0.8 };
  var LIT = { radius: 11, weight: 3, color: "#7a2e00", fillColor: "#e69138", fillOpacity: 1 };

  function start() {
    var box = document.querySelector("[data-map]");
    if (!box || !window.L) {
      return;
    }
    var items = Array.prototype.slice.call(
      document.querySelectorAll(".result-list li[data-lat][data-lon]")
    );
    if (!items.length) {
      return;
    }
    box.hidden = false;
    var canvas = box.querySelector("[data-map-canvas]");
    var note = box.querySelector("[data-map-note]");
    var map = window.L.map(canvas, { scrollWheelZoom: false });
    var tiles = window.L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION });
    var failed = false;
    tiles.on("tileerror", function () {
      if (!failed) {
        failed = true;
        box.classList.add("tiles-failed");
        if (note) {
          note.hidden = false;
        }
      }
    });
    tiles.addTo(map);

    var markers = {};
    var bounds = [];
    var lit = null;

    function light(id, on) {
      var marker = markers[id];
      var item = document.querySelector('.result-list li[data-event="' + id + '"]');
      if (marker) {
        marker.setStyle(on ? LIT : PLAIN);
        if (on) {
          marker.bringToFront();
          marker.openTooltip();
        } else {
          marker.closeTooltip();
        }
      }
      if (item) {
        item.classList.toggle("is-lit", on);
      }
      lit = on ? id : null;
    }

    function only(id) {
      if (lit && lit !== id) {
        light(lit, false);
      }
      light(id, true);
    }

    items.forEach(function (item) {
      var id = item.getAttribute("data-event");
      var point = [Number(item.getAttribute("data-lat")), Number(item.getAttribute("data-lon"))];
      var title = item.querySelector("h3");
      var marker = window.L.circleMarker(point, PLAIN).addTo(map);
      marker.bindTooltip(title ? title.textContent : "", { direction: "top" });
      marker.on("mouseover", function () { only(id); });
      marker.on("mouseout", function () { light(id, false); });
      marker.on("click", function () {
        only(id);
        item.scrollIntoView({ block: "nearest" });
        var link = item.querySelector("h3 a");
        if (link) {
          link.focus({ preventScroll: true });
        }
      });
      markers[id] = marker;
      bounds.push(point);
      item.addEventListener("mouseenter", function () { only(id); });
      item.addEventListener("mouseleave", function () { light(id, false); });
      item.addEventListener("focusin", function () { only(id); });
      item.addEventListener("click", function () { only(id); map.panTo(point); });
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 13);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    }
    // Paths exist once the map has a view: name each after its event.
    Object.keys(markers).forEach(function (id) {
      var element = markers[id].getElement();
      if (element) {
        element.setAttribute("data-event", id);
      }
    });
    box.setAttribute("data-map-ready", String(bounds.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
