// Suggestions for the student fields of the consultation room. Without this script the
// field still works: type the student number (or the full name) and submit. With it, what
// is typed is looked up (at most ~20 students of the counselor's school) and offered as a
// list; picking one writes its student number into the field.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-student-search]");
  Array.prototype.forEach.call(inputs, function (input, n) {
    var url = input.getAttribute("data-student-search");
    var list = document.createElement("datalist");
    list.id = "student-suggestions-" + n;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var asked = 0;
    function show(results) {
      list.textContent = "";
      results.forEach(function (s) {
        var option = document.createElement("option");
        option.value = s.number;
        option.label = s.name + " · " + s["class"];
        list.appendChild(option);
      });
    }
    function ask() {
      var text = input.value.trim();
      if (!text) { show([]); return; }
      asked += 1;
      var mine = asked;
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) show(data.results || []); })
        .catch(function () { /* no suggestions; typing the number still works */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
  });
})();
