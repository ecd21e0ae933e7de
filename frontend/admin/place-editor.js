// The place editor's map: click or drag the marker to set the location, or type coordinates,
// or pick an address from the gazetteer. The form works without it; this only fills lon/lat.
(function () {
  "use strict";
  var element = document.getElementById("place-map");
  if (!element || typeof L === "undefined") return;
  var settings = JSON.parse(element.getAttribute("data-settings"));
  var lonInput = document.getElementById("f-lon");
  var latInput = document.getElementById("f-lat");
  var area = settings.serviceArea; // [minLon, minLat, maxLon, maxLat]

  var map = L.map(element, { keyboard: true });
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { maxZoom: settings.maxZoom, attribution: settings.attribution })
      .addTo(map);
  }
  // A marker drawn with CSS: no image files needed.
  var icon = L.divIcon({ className: "edit-marker", iconSize: [22, 22], iconAnchor: [11, 11] });
  var marker = null;

  function current() {
    var lon = parseFloat((lonInput.value || "").replace(",", "."));
    var lat = parseFloat((latInput.value || "").replace(",", "."));
    return isFinite(lon) && isFinite(lat) ? L.latLng(lat, lon) : null;
  }

  function place(latlng, fromInputs) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, icon: icon, keyboard: true }).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng(), false); });
    } else {
      marker.setLatLng(latlng);
    }
    if (!fromInputs) {
      lonInput.value = latlng.lng.toFixed(6);
      latInput.value = latlng.lat.toFixed(6);
    }
    element.setAttribute("data-has-marker", "true");
  }

  var start = current();
  if (start) {
    map.setView(start, 16);
    place(start, true);
  } else {
    map.fitBounds([[area[1], area[0]], [area[3], area[2]]]);
  }
  map.on("click", function (event) { place(event.latlng, false); });
  [lonInput, latInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var latlng = current();
      if (latlng) { place(latlng, true); map.panTo(latlng); }
    });
  });

  // Address search through the gazetteer; results are buttons, inserted as text.
  var query = document.getElementById("address-q");
  var go = document.getElementById("address-go");
  var results = document.getElementById("address-results");
  function search() {
    var q = query.value.trim();
    if (!q) return;
    fetch("/api/gazetteer?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        results.textContent = "";
        var features = (data && (data.features || data.results)) || [];
        if (!features.length) {
          var none = document.createElement("li");
          none.textContent = settings.noResults;
          results.appendChild(none);
          return;
        }
        features.slice(0, 8).forEach(function (feature) {
          var coords = feature.geometry ? feature.geometry.coordinates : [feature.lon, feature.lat];
          var label = (feature.properties && (feature.properties.label || feature.properties.name)) ||
            feature.label || feature.name || coords.join(", ");
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = label;
          button.addEventListener("click", function () {
            var latlng = L.latLng(coords[1], coords[0]);
            place(latlng, false);
            map.setView(latlng, 17);
            lonInput.focus();
          });
          item.appendChild(button);
          results.appendChild(item);
        });
      });
  }
  go.addEventListener("click", search);
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  element.setAttribute("data-ready", "true");
})();
