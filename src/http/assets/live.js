// drawdown: follows /api/alerts/stream and adds each new alert at the top of
// the list, without a reload. Resumes from the last event id after a break.
(function () {
  "use strict";
  var list = document.getElementById("alerts");
  if (!list || !window.fetch || !window.TextDecoder) { return; }
  var last = list.getAttribute("data-last-seq") || "0";
  var token = sessionStorage.getItem("drawdown-token");
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  function add(a) {
    var li = el("li", "alert kind-" + a.kind + " fresh");
    li.setAttribute("data-seq", a.seq);
    li.appendChild(el("span", "badge", a.kind));
    var link = el("a", "message", a.message);
    link.href = "/alerts/" + encodeURIComponent(a.id);
    li.appendChild(link);
    li.appendChild(el("blockquote", "", a.current.quote));
    var art = a.current.article;
    li.appendChild(el("p", "cite", (art.source || "unknown outlet") + ", " + art.published));
    list.insertBefore(li, list.firstChild);
    var none = document.getElementById("no-alerts");
    if (none) { none.remove(); }
  }
  function handle(block) {
    var kind = "message", data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("id:") === 0) { last = line.slice(3).trim(); }
      else if (line.indexOf("event:") === 0) { kind = line.slice(6).trim(); }
      else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
    });
    if (kind === "alert" && data.length) { add(JSON.parse(data.join("\n"))); }
  }
  function follow() {
    var headers = { "Accept": "text/event-stream", "Last-Event-ID": last };
    if (token) { headers.Authorization = "Bearer " + token; }
    fetch("/api/alerts/stream", { headers: headers }).then(function (r) {
      if (!r.ok || !r.body) { throw new Error("stream answered " + r.status); }
      document.getElementById("live").hidden = false;
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { throw new Error("stream closed"); }
          buffer += decoder.decode(chunk.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(handle);
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      document.getElementById("live").hidden = true;
      setTimeout(follow, 3000);
    });
  }
  follow();
})();
