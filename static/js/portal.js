// Behaviour the templates ask for with data attributes, since the Content-Security-Policy
// allows no inline script or handler:
//   <select data-autosubmit>             submits its form when changed
//   <form data-confirm="Sure?">          asks before submitting
//   <input data-select-on-click>         selects its text when clicked
//   <button data-copy="#id" data-copied="Copied">  copies the field's value
//   <form data-show-by="name">           shows the [data-name] elements of the radio picked
//                                        (data-show-none="all": all of them until one is)
//   .chart-box.wide:not(.keep-axis)      scrolled to the latest weeks on narrow screens
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("input[data-select-on-click]").forEach(function (el) {
    el.addEventListener("click", function () { el.select(); });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      if (field && navigator.clipboard) navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied;
    });
  });
  document.querySelectorAll("form[data-show-by]").forEach(function (form) {
    var name = form.dataset.showBy;
    var showAllUntilPicked = form.dataset.showNone === "all";
    function update() {
      var picked = form.querySelector("input[name=" + name + "]:checked");
      form.querySelectorAll("[data-" + name + "]").forEach(function (el) {
        el.hidden = picked ? el.dataset[name] !== picked.value : !showAllUntilPicked;
      });
    }
    form.querySelectorAll("input[name=" + name + "]").forEach(function (el) {
      el.addEventListener("change", update);
    });
    update();
  });
  document.querySelectorAll(".chart-box.wide:not(.keep-axis)").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });
})();
