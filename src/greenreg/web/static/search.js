// Search as you type, on top of the plain form (the page works without this script).
// The server renders the results fragment (escaped HTML); this only fetches and swaps it.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  if (!input || !results || !window.fetch) return;
  var timer = 0, pending = null, shown = input.value;

  function update() {
    var query = input.value.trim();
    if (query === shown) return;
    shown = query;
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch("/results?q=" + encodeURIComponent(query), pending ? { signal: pending.signal } : {})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        results.innerHTML = html;
        history.replaceState(null, "", query ? "/?q=" + encodeURIComponent(query) : "/");
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
})();
