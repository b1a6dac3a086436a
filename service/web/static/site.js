// meetscout: small improvements over pages that already work without JavaScript.
// Place suggestions from /places, subscribe links that follow the calendar options,
// a copy button, and focus on the first error message.
"use strict";

(function () {
  var MIN_CHARS = 2;
  var MAX_CHARS = 200;
  var DELAY_MS = 150;
  var GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/r?cid=";

  function suggestPlaces(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) {
      return;
    }
    var timer = null;
    var pending = null;
    var asked = "";

    function show(places) {
      list.replaceChildren();
      places.forEach(function (place) {
        var option = document.createElement("option");
        option.value = place.label;
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_CHARS || text.length > MAX_CHARS || text === asked) {
        return;
      }
      asked = text;
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var url = "/places?" + new URLSearchParams({ q: text, limit: "8" }).toString();
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (places) {
          if (Array.isArray(places) && input.value.trim() === text) {
            show(places);
          }
        })
        .catch(function () {
          // Suggestions are a convenience: the form works the same without them.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
  }

  function feedOptions(form) {
    var base = form.getAttribute("data-feed-base");
    if (!base) {
      return;
    }
    var section = form.closest("section") || document;
    var button = form.querySelector("[data-update-links]");
    if (button) {
      button.hidden = true;
    }

    function update() {
      var url = new URL(base);
      var data = new FormData(form);
      var cancelled = data.get("cancelled");
      var alarm = data.get("alarm");
      if (cancelled && cancelled !== "keep") {
        url.searchParams.set("cancelled", cancelled);
      }
      if (alarm) {
        url.searchParams.set("alarm", alarm);
      }
      if (data.get("followup")) {
        url.searchParams.set("followup", "1");
      }
      var https = url.toString();
      var webcal = https.replace(/^https?:/, "webcal:");
      section.querySelectorAll("[data-feed-link]").forEach(function (element) {
        var kind = element.getAttribute("data-feed-link");
        var value = kind === "webcal" ? webcal : kind === "google"
          ? GOOGLE_ADD_BY_URL + encodeURIComponent(webcal) : https;
        if (element.tagName === "INPUT") {
          element.value = value;
        } else {
          element.setAttribute("href", value);
        }
      });
    }

    form.addEventListener("change", update);
  }

  function copyButton(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    var status = button.closest(".field").querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(message) {
        if (status) {
          status.textContent = message;
        }
      }
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { done(button.getAttribute("data-copied") || "Copied. Paste it into your calendar app."); },
          function () { done("Selected: press Ctrl+C (or ⌘C) to copy."); }
        );
      } else {
        done("Selected: press Ctrl+C (or ⌘C) to copy.");
      }
    });
  }

  function start() {
    document.querySelectorAll("input[data-suggest]").forEach(suggestPlaces);
    document.querySelectorAll("form[data-feed-options]").forEach(feedOptions);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
    var problem = document.querySelector("[data-focus]");
    if (problem) {
      problem.focus();
      // Going to a #fragment (the sign-up form posts to /subscribe#digest) resets focus
      // once the page has loaded: take it back then.
      window.addEventListener("load", function () {
        window.setTimeout(function () { problem.focus(); }, 0);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
