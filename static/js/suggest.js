// Suggestions for a text field that names someone (a student in the consultation room, a
// person on the role form): `data-suggest` is the search's URL, which answers
// {"results": [{"value", "label"}]}. Without this script the field still works: type the
// number or name and submit. With it, what is typed is looked up and offered as a list;
// picking one writes its value into the field.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input, n) {
    var url = input.getAttribute("data-suggest");
    var list = document.createElement("datalist");
    list.id = "suggestions-" + n;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var asked = 0;
    function show(results) {
      list.textContent = "";
      results.forEach(function (found) {
        var option = document.createElement("option");
        option.value = found.value;
        option.label = found.label;
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
        .catch(function () { /* no suggestions; typing still works */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
  });
})();
