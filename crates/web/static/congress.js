// Live updates for the congress pages. Progressive enhancement only: every page works without
// it. The page's live part (#live) names its server-sent event stream; on each event the page is
// fetched again (same origin, same session) and the live part replaced.
(function () {
  "use strict";
  var region = document.getElementById("live");
  if (!region || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var busy = false;
  var again = false;
  function reload() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
          region.setAttribute("data-updated", String(Date.now()));
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          reload();
        }
      });
  }
  var stream = new EventSource(region.getAttribute("data-live"));
  ["vote", "tally", "speaker", "presence", "agenda", "motion", "election", "credentials", "lagged"]
    .forEach(function (kind) { stream.addEventListener(kind, reload); });
  stream.addEventListener("open", function () { region.setAttribute("data-connected", "1"); });
})();
