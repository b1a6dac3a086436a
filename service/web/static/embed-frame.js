// meetscout's embedded list, inside its iframe: tell the page around it how tall the list is,
// so that static/embed.js there can size the iframe. Only a height is sent.
"use strict";

(function () {
  if (window.parent === window) {
    return;
  }
  var last = 0;

  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) {
      return;
    }
    last = height;
    window.parent.postMessage({ meetscout: "embed-height", height: height }, "*");
  }

  tell();
  window.addEventListener("load", tell);
  if (window.ResizeObserver) {
    new ResizeObserver(tell).observe(document.documentElement);
  } else {
    window.addEventListener("resize", tell);
  }
})();
