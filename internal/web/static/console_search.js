// Live search for the inventory page of the staff console: as one types,
// the results come from /staff/inventory/search and replace the table.
// The page works without it (the form is a plain GET).
(function () {
  "use strict";
  var input = document.querySelector("input[data-live]");
  if (!input || !window.fetch) { return; }
  var box = document.getElementById(input.dataset.results);
  var timer = 0, seq = 0;

  function cell(row, text, href) {
    var td = row.insertCell();
    if (!text) { return; }
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
  }

  function show(res) {
    var count = box.querySelector(".inv-count");
    if (!count) {
      count = document.createElement("p");
      count.className = "inv-count";
      box.insertBefore(count, box.firstChild);
    }
    var none = box.querySelector(".inv-nothing");
    if (none) { none.remove(); }
    var words = res.more ? input.dataset.more : input.dataset.found;
    count.textContent = res.total || res.customers.length ? words.replace("{n}", res.total) : input.dataset.none;
    var hits = box.querySelector(".inv-hits");
    var body = hits.querySelector("tbody");
    body.replaceChildren();
    res.assets.forEach(function (a) {
      var row = body.insertRow();
      cell(row, a.name, "/staff/assets/" + encodeURIComponent(a.name));
      cell(row, a.kind);
      cell(row, a.owner, a.owner ? "/staff/inventory?owner=" + encodeURIComponent(a.owner) : "");
    });
    hits.classList.toggle("inv-empty", res.assets.length === 0);
    var custs = box.querySelector(".inv-customers");
    var list = custs.querySelector("ul");
    list.replaceChildren();
    res.customers.forEach(function (c) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/staff/customers/" + encodeURIComponent(c.id);
      a.textContent = c.id;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — " + c.name));
      list.appendChild(li);
    });
    custs.classList.toggle("inv-empty", res.customers.length === 0);
  }

  function search() {
    var q = input.value.trim();
    var mine = ++seq;
    var url = new URL(window.location.href);
    if (q) { url.searchParams.set("q", q); } else { url.searchParams.delete("q"); }
    window.history.replaceState(null, "", url);
    if (!q) { return; }
    fetch(input.dataset.live + "?limit=50&q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) { if (res && mine === seq) { show(res); } })
      .catch(function () { /* the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
}());
