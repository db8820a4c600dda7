// Move each click-to-call form next to the phone field it dials (see core/telephony/slot.py).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-fc-call-field]").forEach(function (form) {
    var cell = document.querySelector('dd[data-field="' + form.dataset.fcCallField + '"]');
    if (!cell) return;
    var button = form.querySelector("button");
    button.textContent = "☎";
    cell.appendChild(form);
  });
  document.querySelectorAll("[data-fc-click-to-call]").forEach(function (box) {
    if (!box.querySelector("form")) box.remove();
  });
});
