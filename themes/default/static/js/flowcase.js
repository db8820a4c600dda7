// Small progressive enhancements of the generic pages; every page works without them.
(function () {
  "use strict";

  // Confirm before destructive submits (delete buttons carry data-fc-confirm).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fc-confirm]");
    if (button && !window.confirm(button.getAttribute("data-fc-confirm"))) {
      event.preventDefault();
    }
  });

  // "Select all" checkbox of a list.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-fc-check-all]")) return;
    var table = event.target.closest("table");
    table.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
  });

  // Lookup typeahead: the search box fills a datalist from /<section>/lookup?q=
  // and, when a suggestion is picked, puts its id into the lookup's id input.
  document.querySelectorAll("[data-fc-lookup-for]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-fc-lookup-for"));
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-fc-lookup-url");
    var timer = null;
    input.addEventListener("input", function () {
      var picked = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
      if (picked) { target.value = picked.getAttribute("data-id"); return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(input.value), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.text;
              option.setAttribute("data-id", item.id);
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
