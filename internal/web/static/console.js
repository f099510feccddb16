// console.js: live updates for the pages of the staff console. Small,
// hand-written, no build step; every page works without it.
//
// How a console page becomes live (the convention for every part):
//
//   - One element of the page, usually the outermost of its "content"
//     block, carries data-live="/staff/events": the event stream telling
//     that something the console shows changed. It may carry
//     data-live-version="…", the version the page was rendered at (the
//     dashboard's .Version), so that a change made while the page loaded
//     is not missed.
//   - Each part of the page to refresh carries data-live-part="name", a
//     name unique in the page. On each new version the script fetches the
//     page again (same URL, with the header X-Vigie-Live: 1, which tells
//     the server this is a refresh and not a look) and replaces every part
//     by the part of the same name in the fresh copy. Parts missing from
//     the copy stay as they are; what is outside the parts never moves
//     (forms being typed in, for instance).
//   - The element with data-live gets the class live-on while the stream
//     is open and live-off once it is lost for good, for a page to say so.
//
// The page links the script from its "head" block:
//   <script src="/assets/console.js" defer></script>
(function () {
  'use strict';
  var root = document.querySelector('[data-live]');
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var seen = root.getAttribute('data-live-version') || '';
  var busy = false;
  var again = false;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, 'text/html');
    var parts = document.querySelectorAll('[data-live-part]');
    for (var i = 0; i < parts.length; i++) {
      var name = parts[i].getAttribute('data-live-part');
      var found = fresh.querySelectorAll('[data-live-part]');
      for (var j = 0; j < found.length; j++) {
        if (found[j].getAttribute('data-live-part') === name) {
          parts[i].replaceWith(document.importNode(found[j], true));
          break;
        }
      }
    }
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, {credentials: 'same-origin', cache: 'no-store', headers: {'X-Vigie-Live': '1'}})
      .then(function (resp) {
        // A redirect is the sign-in page: the session ended.
        if (!resp.ok || resp.redirected) {
          throw new Error('refresh: ' + resp.status);
        }
        return resp.text();
      })
      .then(swap)
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var stream = new EventSource(root.getAttribute('data-live'));
  stream.addEventListener('open', function () {
    root.classList.remove('live-off');
    root.classList.add('live-on');
  });
  stream.addEventListener('error', function () {
    // The browser reconnects by itself after each minute-long stream;
    // only a closed stream (refused, signed out) is lost for good.
    if (stream.readyState === EventSource.CLOSED) {
      root.classList.remove('live-on');
      root.classList.add('live-off');
    }
  });
  stream.addEventListener('version', function (e) {
    if (e.data === seen) {
      return;
    }
    seen = e.data;
    refresh();
  });
})();
