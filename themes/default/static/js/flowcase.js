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
  // and, when a suggestion is picked, puts its id into the lookup's id input
  // (narrowed by the parent's value when the lookup cascades, see below).
  document.querySelectorAll("[data-fc-lookup-for]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-fc-lookup-for"));
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-fc-lookup-url");
    var timer = null;
    input.addEventListener("input", function () {
      var picked = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
      if (picked) {
        target.value = picked.getAttribute("data-id");
        target.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(input.value) + cascadeFilter(target), { headers: { "Accept": "application/json" } })
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

  // Cascading lookups (Section.cascades). A child lookup input carries
  // data-fc-cascade-parent (the parent input's id), data-fc-cascade-by (the field
  // of the child's records that must equal the parent) and data-fc-cascade-url
  // (the child section's typeahead). Changing a parent reloads its children's
  // choices; picking a child fills its parent, which fills its own parent, ...
  // Without JavaScript the server does the same on submit.
  var CHANGE = function () { return new Event("change", { bubbles: true }); };

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; });
  }

  function cascadeFilter(child) {
    var parentId = child && child.getAttribute("data-fc-cascade-parent");
    var parent = parentId && document.getElementById(parentId);
    if (!parent || !parent.value) return "";
    return "&f." + encodeURIComponent(child.getAttribute("data-fc-cascade-by")) + "=" + encodeURIComponent(parent.value);
  }

  function searchBox(input) {
    return document.querySelector('[data-fc-lookup-for="' + input.id + '"]');
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === String(value); });
  }

  function setValue(input, id, text) {
    if (input.tagName === "SELECT" && !hasOption(input, id)) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = text;
      input.appendChild(option);
    } else if (input.tagName !== "SELECT" && searchBox(input)) {
      searchBox(input).value = text;
    }
    input.value = id;
    input.dispatchEvent(CHANGE());
  }

  function clearValue(input) {
    if (!input.value) return;
    input.value = "";
    if (searchBox(input)) searchBox(input).value = "";
    input.dispatchEvent(CHANGE());
  }

  function fillParent(child) {
    var parent = document.getElementById(child.getAttribute("data-fc-cascade-parent"));
    var url = child.getAttribute("data-fc-cascade-url");
    var by = child.getAttribute("data-fc-cascade-by");
    if (!parent || !url || !child.value) return;
    getJSON(url + "?id=" + encodeURIComponent(child.value) + "&fields=" + encodeURIComponent(by)).then(function (items) {
      var value = items.length && items[0].values ? items[0].values[by] : null;
      if (value === null || value === undefined || String(value) === parent.value) return;
      if (parent.tagName === "SELECT" && hasOption(parent, value)) { setValue(parent, value, ""); return; }
      var parentUrl = parent.getAttribute("data-fc-cascade-url") || parent.getAttribute("data-fc-lookup");
      if (!parentUrl) { setValue(parent, value, "#" + value); return; }
      getJSON(parentUrl + "?id=" + encodeURIComponent(value)).then(function (found) {
        setValue(parent, value, found.length ? found[0].text : "#" + value);
      });
    });
  }

  function refreshChildren(parent) {
    document.querySelectorAll('[data-fc-cascade-parent="' + parent.id + '"]').forEach(function (child) {
      var url = child.getAttribute("data-fc-cascade-url");
      if (!parent.value) clearValue(child);  // no parent, no child: it would fill the parent straight back
      if (!url) return;
      if (child.tagName === "SELECT") {
        getJSON(url + "?limit=200" + cascadeFilter(child)).then(function (items) {
          var keep = child.value;
          var blank = document.createElement("option");
          blank.value = "";
          blank.textContent = "—";
          child.replaceChildren(blank);
          items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.id;
            option.textContent = item.text;
            child.appendChild(option);
          });
          if (keep && hasOption(child, keep)) { child.value = keep; } else { child.value = ""; if (keep) child.dispatchEvent(CHANGE()); }
        });
      } else if (child.value && parent.value) {
        getJSON(url + "?id=" + encodeURIComponent(child.value) + cascadeFilter(child)).then(function (items) {
          if (!items.length) clearValue(child);
        });
      }
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.id || !input.form) return;
    if (input.hasAttribute("data-fc-cascade-parent")) fillParent(input);
    refreshChildren(input);
  });

  // Detail grids on a card (core.ui.grid_view): "Edit" swaps a row for its form
  // row, "Add" puts a new form row on top, "Save" posts the row's inputs and puts
  // back whatever row the server answers (saved, or with its messages), "Cancel"
  // restores the row. The server renders every row; this only moves HTML around.
  function rowFrom(html) {
    var body = document.createElement("tbody");
    body.innerHTML = html.trim();
    return body.firstElementChild;
  }

  function fetchRow(url, options) {
    return fetch(url, Object.assign({ credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }, options || {}))
      .then(function (response) { return response.text(); })
      .then(rowFrom);
  }

  function rowData(row) {
    var data = new FormData();
    row.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!input.name || input.disabled) return;
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
      data.append(input.name, input.value);
    });
    return data;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fc-row-edit], [data-fc-row-add], [data-fc-row-save], [data-fc-row-cancel]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest("tr");
    if (button.hasAttribute("data-fc-row-edit")) {
      fetchRow(button.getAttribute("data-fc-row-edit")).then(function (form) { if (form) row.replaceWith(form); });
    } else if (button.hasAttribute("data-fc-row-add")) {
      var pane = button.closest("[data-detail]");
      var body = pane.querySelector("[data-fc-detail-grid] tbody");
      fetchRow(button.getAttribute("data-fc-row-add")).then(function (form) {
        if (!form) return;
        body.insertBefore(form, body.firstChild);
        var none = pane.querySelector("[data-fc-none-yet]");
        if (none) none.remove();
        var first = form.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      });
    } else if (button.hasAttribute("data-fc-row-save")) {
      button.disabled = true;
      fetchRow(row.getAttribute("data-fc-row-form"), { method: "POST", body: rowData(row) })
        .then(function (answer) { if (answer) row.replaceWith(answer); else button.disabled = false; });
    } else {
      var back = row.getAttribute("data-fc-row-cancel-url");
      if (back) {
        fetchRow(back).then(function (shown) { if (shown) row.replaceWith(shown); });
      } else {
        row.remove();
      }
    }
  });
})();
