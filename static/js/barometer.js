// The barometer's page without a framework: show one empty student row at a time, add
// more on request (cloning the formset's empty form), and mark counts that are not zero.
(function () {
  "use strict";
  var rows = document.getElementById("student-rows");
  var add = document.getElementById("add-student");
  var total = document.getElementById("id_s-TOTAL_FORMS");
  var template = document.getElementById("student-empty");
  if (rows && add && total && template) {
    var blank = function (row) {
      var fields = row.querySelectorAll("select, input[type=text]");
      for (var i = 0; i < fields.length; i++) {
        var f = fields[i];
        if (f.name.slice(-9) === "-severity") continue;
        if (f.value) return false;
      }
      return !row.querySelector(".is-invalid, .invalid-feedback");
    };
    var all = rows.querySelectorAll(".student-row");
    var shown = 0;
    for (var i = 0; i < all.length; i++) {
      if (blank(all[i]) && shown >= 1) all[i].hidden = true;
      else if (blank(all[i])) shown++;
    }
    add.hidden = false;
    add.addEventListener("click", function () {
      var hidden = rows.querySelector(".student-row[hidden]");
      if (hidden) {
        hidden.hidden = false;
        hidden.querySelector("select").focus();
        return;
      }
      var n = parseInt(total.value, 10);
      var max = parseInt(document.getElementById("id_s-MAX_NUM_FORMS").value, 10);
      if (n >= max) return;
      var div = document.createElement("div");
      div.innerHTML = template.innerHTML.replace(/__prefix__/g, String(n));
      var row = div.firstElementChild;
      rows.appendChild(row);
      total.value = String(n + 1);
      row.querySelector("select").focus();
    });
  }
  var counts = document.querySelectorAll(".concern-grid input");
  var mark = function (input) {
    input.classList.toggle("has-value", parseInt(input.value || "0", 10) > 0);
  };
  for (var j = 0; j < counts.length; j++) {
    mark(counts[j]);
    counts[j].addEventListener("input", function (e) { mark(e.target); });
    counts[j].addEventListener("focus", function (e) { if (e.target.value === "0") e.target.select(); });
  }
})();
