"""The participants' page: plain HTML and a script that builds the form with textContent."""

from __future__ import annotations

import json

PAGE_FIELDS = (
    ("wait_time", "Wait before it", "(e.g. 2-5d)", "input"),
    ("process_time", "Work time", "(e.g. 4h)", "input"),
    ("pca", "%C&A", "(e.g. 80)", "input"),
    ("pain", "Pain point", "(a few words, as on a sticky note)", "textarea"),
)
"""Each field a participant answers: its key, its label and hint on the page, its input."""
ANSWER_LABELS = {key: label for key, label, _hint, _input in PAGE_FIELDS}

# The page never puts text it received into HTML: every label is set with textContent,
# and the Content-Security-Policy only runs the script carrying this response's nonce.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Estimate round</title>
<style nonce="{{nonce}}">
  body { font-family: system-ui, sans-serif; margin: 0; padding: 1rem; background: #f6f7f9;
         color: #1d2733; max-width: 40rem; margin-inline: auto; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  p.hint { color: #55606e; margin: 0 0 1rem; font-size: .95rem; }
  fieldset { background: #fff; border: 1px solid #d5dae1; border-radius: .6rem;
             margin: 0 0 1rem; padding: .75rem 1rem 1rem; }
  legend { font-weight: 600; font-size: 1.1rem; padding: 0 .3rem; }
  label { display: block; margin-top: .6rem; font-size: .95rem; }
  input, textarea { width: 100%; box-sizing: border-box; font-size: 1rem; padding: .5rem;
                    border: 1px solid #b9c1cc; border-radius: .4rem; margin-top: .2rem; }
  textarea { min-height: 3.5rem; }
  [aria-invalid="true"] { border-color: #b42318; background: #fff5f5; }
  .problem { color: #b42318; font-size: .9rem; margin-top: .2rem; }
  .problem:empty { display: none; }
  .reading { color: #55606e; font-size: .9rem; margin-top: .2rem; }
  .reading:empty { display: none; }
  /* Three fields a line, their labels, inputs and messages each in one grid row: a label
     that wraps leaves the inputs in line. */
  .row { display: grid; grid-template-columns: repeat(3, 1fr); column-gap: .75rem; }
  .row .field { display: grid; grid-row: span 3; grid-template-rows: subgrid; }
  .row label { align-self: end; }
  .example { white-space: nowrap; }
  /* A phone: one field a line, its label above it, so inputs line up and labels read whole. */
  @media (max-width: 30rem) { .row { display: block; } }
  button { font-size: 1.05rem; padding: .7rem 1.2rem; border: 0; border-radius: .5rem;
           background: #1f6feb; color: #fff; margin: .25rem .5rem .5rem 0; }
  button.secondary { background: #d5dae1; color: #1d2733; }
  #status { margin-top: .5rem; font-weight: 600; min-height: 1.4rem; }
  #status.error { color: #b42318; }
  #status.ok { color: #1a7f37; }
</style>
</head>
<body>
<h1 id="title">Estimate round</h1>
<p class="hint">Answer for the stages you know; leave the rest blank. Times as you would
say them: 2d, 4h, 90m, a range 2-5d or 2d/3d/5d. %C&amp;A: how much of the work arrives
complete and accurate. Your answer is anonymous.</p>
<form id="survey" novalidate>
  <div id="stages"></div>
  <button type="submit" id="send">Send my answer</button>
  <button type="button" id="withdraw" class="secondary">Take my answer back</button>
  <div id="status" role="status" aria-live="polite"></div>
</form>
<script nonce="{{nonce}}">
"use strict";
(function () {
  var base = location.pathname.replace(/\\/+$/, "");
  var stagesBox = document.getElementById("stages");
  var statusBox = document.getElementById("status");
  var fields = {{fields}};
  var stageIds = [];
  // The answer sent from this phone, for this round only, so that a reload keeps it.
  var answerKey = "vsmapper-answer:" + base;

  function participantId() {
    var key = "vsmapper-participant";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = kind;
  }

  // The app's own rule for a typed %C&A (vsmapper/io/typed.py), so that the field says so
  // before sending; the server applies it again.
  function pcaSlip(text) {
    var typed = text.trim();
    if (!/^(\\d*\\.\\d+|\\d+,\\d{1,2})$/.test(typed)) { return ""; }
    var number = parseFloat(typed.replace(",", "."));
    if (!(number > 0 && number < 1)) { return ""; }
    var percent = String(Math.round(number * 100 * 1e9) / 1e9);
    return "'" + typed + "' would be " + typed + " %: %C&A is in percent (" + percent +
      " for " + percent + " %); type " + typed + "% if you mean it";
  }

  // A bare number is hours, as in the app: "3" meant as days went in as 3 hours unseen.
  function reading(field, text) {
    var typed = text.trim();
    if (!/_time$/.test(field) || !/^\\d+(\\.\\d+)?$/.test(typed)) { return ""; }
    var unit = typed === "1" ? " hour" : " hours";
    return "= " + typed + unit + " (" + typed + "d for days)";
  }

  function mark(control, problem) {
    document.getElementById(control.id + "-problem").textContent = problem;
    if (problem) { control.setAttribute("aria-invalid", "true"); }
    else { control.removeAttribute("aria-invalid"); }
  }

  function firstMarked() {
    return document.querySelector("#stages [aria-invalid='true']");
  }

  function build(map) {
    document.getElementById("title").textContent = "Estimate round: " + map.name;
    document.title = "Estimate round: " + map.name;
    map.stages.forEach(function (stage, index) {
      stageIds.push(stage.id);
      var box = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = stage.name;
      box.appendChild(legend);
      var row = document.createElement("div");
      row.className = "row";
      fields.forEach(function (field) {
        var cell = document.createElement("div");
        cell.className = "field";
        var control = document.createElement(field[3]);
        control.id = "s" + index + "-" + field[0];
        control.name = field[0];
        control.dataset.stage = String(index);
        control.maxLength = field[0] === "pain" ? 1000 : 40;
        var label = document.createElement("label");
        label.htmlFor = control.id;
        label.textContent = field[1];
        if (field[2]) {
          var example = document.createElement("span");
          example.className = "example";
          example.textContent = field[2];
          label.appendChild(document.createTextNode(" "));
          label.appendChild(example);
        }
        var problem = document.createElement("div");
        problem.className = "problem";
        problem.id = control.id + "-problem";
        problem.setAttribute("aria-live", "polite");
        control.setAttribute("aria-describedby", problem.id);
        var read = document.createElement("div");
        read.className = "reading";
        read.id = control.id + "-reading";
        control.addEventListener("input", function () {
          mark(control, field[0] === "pca" ? pcaSlip(control.value) : "");
          read.textContent = reading(field[0], control.value);
        });
        if (field[0] === "pca") { control.inputMode = "decimal"; }
        cell.appendChild(label);
        cell.appendChild(control);
        cell.appendChild(read);
        cell.appendChild(problem);
        (field[0] === "pain" ? box : row).appendChild(cell);
        if (field[0] === "pca") { box.appendChild(row); }
      });
      stagesBox.appendChild(box);
    });
  }

  function remember(stages) {
    try {
      if (Object.keys(stages).length) {
        window.localStorage.setItem(answerKey, JSON.stringify(stages));
      } else {
        window.localStorage.removeItem(answerKey);
      }
    } catch (e) { /* private mode: a reload starts blank */ }
  }

  function recall() {
    var stages = null;
    try { stages = JSON.parse(window.localStorage.getItem(answerKey) || "null"); }
    catch (e) { stages = null; }
    var filled = false;
    stageIds.forEach(function (id, index) {
      var answer = stages && stages[id];
      fields.forEach(function (field) {
        var value = answer && answer[field[0]];
        if (typeof value === "string") {
          var control = document.getElementById("s" + index + "-" + field[0]);
          control.value = value;
          control.dispatchEvent(new Event("input"));
          filled = true;
        }
      });
    });
    return filled;
  }

  function collect() {
    var stages = {};
    stageIds.forEach(function (id, index) {
      var answer = {};
      fields.forEach(function (field) {
        var value = document.getElementById("s" + index + "-" + field[0]).value.trim();
        if (value) { answer[field[0]] = value; }
      });
      if (Object.keys(answer).length) { stages[id] = answer; }
    });
    return stages;
  }

  function send(stages, done) {
    fetch(base + "/answers", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({participant: participantId(), stages: stages})
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { remember(stages); say(done, "ok"); return; }
        say(body.error || "Not taken", "error");
        (body.fields || []).forEach(function (refused) {
          var index = stageIds.indexOf(refused.stage);
          var control = document.getElementById("s" + index + "-" + refused.field);
          if (index >= 0 && control) { mark(control, refused.reason); }
        });
        var marked = firstMarked();
        if (marked) { marked.focus(); }
      });
    }).catch(function () { say("The round is closed or out of reach.", "error"); });
  }

  document.getElementById("survey").addEventListener("submit", function (event) {
    event.preventDefault();
    var marked = firstMarked();
    if (marked) { say("Not sent: mend what is marked in red.", "error"); marked.focus(); return; }
    var stages = collect();
    if (!Object.keys(stages).length) { say("Fill in at least one field.", "error"); return; }
    send(stages, "Thank you, your answer is in. You can change it and send again.");
  });
  document.getElementById("withdraw").addEventListener("click", function () {
    send({}, "Your answer is taken back.");
  });

  fetch(base + "/map").then(function (response) { return response.json(); })
    .then(function (map) {
      build(map);
      if (recall()) {
        say("Your answer sent from this phone is filled in. You can change it and send again.",
            "ok");
      }
    })
    .catch(function () { say("The round is closed or out of reach.", "error"); });
})();
</script>
</body>
</html>
"""
SURVEY_PAGE = _PAGE.replace("{{fields}}", json.dumps([list(field) for field in PAGE_FIELDS]))
