// meetscout's embed snippet, on the page that shows the list: sizes each meetscout iframe
// to the height its page reports. Listens only to messages from meetscout's own origin
// (where this script was loaded from) and from an iframe of the snippet.
"use strict";

(function () {
  var MIN_HEIGHT = 80;
  var MAX_HEIGHT = 20000;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, document.baseURI).origin : null;
  if (!origin || window.meetscoutEmbedListening) {
    return;
  }
  window.meetscoutEmbedListening = true;

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.meetscout !== "embed-height") {
      return;
    }
    var height = Number(data.height);
    if (!isFinite(height)) {
      return;
    }
    var frames = document.querySelectorAll("iframe[data-meetscout-embed]");
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === event.source) {
        var clamped = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
        frames[i].style.height = clamped + "px";
      }
    }
  });
})();
