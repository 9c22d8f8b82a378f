// The planner web app's only script: progress of a run, rows of the teams table.
// Plain JavaScript, no libraries, nothing loaded from the network.
"use strict";

function pollRun(card) {
  var url = card.getAttribute("data-status");
  var bar = document.getElementById("progress");
  var stage = document.getElementById("stage");
  var percent = document.getElementById("percent");
  var message = document.getElementById("solver-message");
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state !== "queued" && s.state !== "running") {
          window.location.reload();
          return;
        }
        var f = Math.max(0, Math.min(1, s.fraction || 0));
        bar.value = f;
        percent.textContent = Math.round(f * 100) + " %";
        stage.textContent = s.stage_text || "";
        message.textContent = s.message || "";
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 800);
}

function teamsTable(table, addButton) {
  var body = table.tBodies[0];
  function rows() { return body.querySelectorAll("tr.team-row:not(.blank)"); }
  function wireRemove(row) {
    var b = row.querySelector(".remove-team");
    if (b) { b.addEventListener("click", function () { row.parentNode.removeChild(row); }); }
  }
  rows().forEach(wireRemove);
  addButton.addEventListener("click", function () {
    var all = rows();
    var blank = body.querySelector("tr.blank");
    var model = all.length ? all[all.length - 1] : blank;
    var row = model.cloneNode(true);
    row.classList.remove("blank");
    var used = {};
    all.forEach(function (r) { used[r.querySelector("[name=team_id]").value] = true; });
    var n = all.length + 1;
    while (used["T" + n]) { n += 1; }
    row.querySelector("[name=team_id]").value = "T" + n;
    row.querySelector("[name=team_name]").value = addButton.getAttribute("data-name") + " " + n;
    ["team_members", "team_off", "team_area"].forEach(function (name) {
      row.querySelector("[name=" + name + "]").value = "";
    });
    var last = row.lastElementChild;
    if (!last.querySelector(".remove-team")) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "small secondary remove-team";
      b.textContent = (table.querySelector(".remove-team") || { textContent: "×" }).textContent;
      last.appendChild(b);
    }
    body.insertBefore(row, blank);
    wireRemove(row);
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var card = document.getElementById("progress-card");
  if (card) { pollRun(card); }
  var table = document.getElementById("teams");
  var add = document.getElementById("add-team");
  if (table && add) { teamsTable(table, add); }
});
