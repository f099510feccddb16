// Vigie's public status page, made nicer where a script runs: every
// <time data-fmt> is rewritten in the reader's own zone, and the page
// follows changes live (server-sent events). The page is complete
// without it. Hand-written, no build step, no dependency.
(function () {
  "use strict";

  var doc = document;
  var lang = (doc.documentElement.getAttribute("lang") || "fr").toLowerCase();

  // The reader's own variant of the page's language (en-US, fr-CA…),
  // else the page's language itself.
  var loc = (function () {
    var prefs = navigator.languages || [navigator.language];
    for (var i = 0; i < prefs.length; i++) {
      if (prefs[i] && prefs[i].slice(0, 2).toLowerCase() === lang) {
        return prefs[i];
      }
    }
    return lang;
  })();

  // The formats the server writes (see html_funcs.go): the zone is named
  // wherever it is named on the server's text.
  // French writes 02:05, English 2:05 AM.
  var hour = lang === "fr" ? "2-digit" : "numeric";
  var formats = {
    full: { day: "numeric", month: "short", year: "numeric", hour: hour, minute: "2-digit", timeZoneName: "short" },
    start: { day: "numeric", month: "short", year: "numeric", hour: hour, minute: "2-digit" },
    time: { hour: hour, minute: "2-digit", timeZoneName: "short" },
    clock: { hour: hour, minute: "2-digit" }
  };
  var formatters = {};

  function format(name, date) {
    if (!(name in formats) || !window.Intl || !Intl.DateTimeFormat) {
      return null;
    }
    if (!formatters[name]) {
      try {
        formatters[name] = new Intl.DateTimeFormat(loc, formats[name]);
      } catch (e) {
        formatters[name] = new Intl.DateTimeFormat(lang, formats[name]);
      }
    }
    return formatters[name].format(date);
  }

  // localizeTimes rewrites the times under root in the reader's zone; the
  // server's text, in the host's zone, stays as the tooltip.
  function localizeTimes(root) {
    var els = root.querySelectorAll("time[data-fmt]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) {
        continue;
      }
      var text = format(el.getAttribute("data-fmt"), date);
      if (text === null) {
        continue;
      }
      if (!el.hasAttribute("title")) {
        el.setAttribute("title", el.textContent);
      }
      el.textContent = text;
    }
  }

  function meta(name) {
    var el = doc.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }

  // focusKey remembers what had the focus, to find it again in the new
  // page: its id, or the target of a link.
  function focusKey(el) {
    if (el.id) {
      return "#" + el.id;
    }
    var href = el.getAttribute && el.getAttribute("href");
    return href ? href : null;
  }

  function findKey(root, key) {
    if (!key) {
      return null;
    }
    if (key.charAt(0) === "#") {
      return doc.getElementById(key.slice(1));
    }
    var links = root.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("href") === key) {
        return links[i];
      }
    }
    return null;
  }

  function announce() {
    var region = doc.getElementById("live");
    if (!region) {
      return;
    }
    var message = (region.getAttribute("data-message") || "").replace("{time}", format("clock", new Date()) || "");
    // Emptied first, so that the same words are spoken again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 100);
  }

  // apply puts the fetched page's <main> (banner included) in place of
  // this one's, keeping the focus where it was when it still exists.
  function apply(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var main = doc.getElementById("main");
    var nextMain = next.getElementById("main");
    if (!main || !nextMain) {
      return;
    }
    var active = doc.activeElement;
    var hadFocus = active && active !== main && main.contains(active);
    var key = hadFocus ? focusKey(active) : null;
    while (main.firstChild) {
      main.removeChild(main.firstChild);
    }
    while (nextMain.firstChild) {
      main.appendChild(doc.adoptNode(nextMain.firstChild));
    }
    var version = next.querySelector('meta[name="vigie-version"]');
    var mine = doc.querySelector('meta[name="vigie-version"]');
    if (version && mine) {
      mine.setAttribute("content", version.getAttribute("content"));
    }
    if (next.title) {
      doc.title = next.title;
    }
    localizeTimes(main);
    if (hadFocus) {
      var again = findKey(main, key) || main;
      again.focus({ preventScroll: true });
    }
    var banner = doc.getElementById("banner");
    if (banner) {
      banner.classList.add("refreshed");
    }
    announce();
  }

  function follow() {
    var events = meta("vigie-events");
    if (!events || !window.EventSource || !window.fetch || !window.DOMParser || location.protocol === "file:") {
      return;
    }
    var wanted = "";
    var busy = false;
    var tries = 0;

    function refresh() {
      if (busy || !wanted || wanted === meta("vigie-version")) {
        return;
      }
      busy = true;
      fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store", credentials: "same-origin" })
        .then(function (res) {
          if (!res.ok) {
            throw new Error("status " + res.status);
          }
          return res.text();
        })
        .then(apply)
        .catch(function () {})
        .then(function () {
          busy = false;
          // A cache may still have served the old page: try again a few
          // times, then wait for the next event.
          if (wanted !== meta("vigie-version") && tries < 3) {
            tries++;
            window.setTimeout(refresh, 3000 * tries);
          } else {
            tries = 0;
          }
        });
    }

    var source;
    try {
      source = new EventSource(new URL(events, location.href).href);
    } catch (e) {
      return;
    }
    source.addEventListener("version", function (e) {
      wanted = String(e.data || "").trim();
      tries = 0;
      refresh();
    });
  }

  function start() {
    localizeTimes(doc);
    follow();
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
