// Suggestions for the role form's person. Without this script the field still works: type
// the user name (or the full name) and submit. With it, what is typed is looked up (at most
// 20 people of the school) and offered as a list; picking one writes its user name.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-person-search]");
  Array.prototype.forEach.call(inputs, function (input, n) {
    var url = input.getAttribute("data-person-search");
    var list = document.createElement("datalist");
    list.id = "person-suggestions-" + n;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var asked = 0;
    function show(results) {
      list.textContent = "";
      results.forEach(function (p) {
        var option = document.createElement("option");
        option.value = p.value;
        option.label = p.label;
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
        .catch(function () { /* no suggestions; typing the user name still works */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
  });
})();
