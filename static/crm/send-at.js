// Scheduled-send pickers: a native <input type="datetime-local" data-send-at="<display id>">
// (wall-clock time of the CRM's time zone) and, in the element it names, the chosen time in
// the reader's own calendar through the browser's Intl API: the Persian (Jalali) calendar in
// Persian, e.g. «جمعه ۶ آذر ۱۴۰۵، ساعت ۹:۰۰».
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var locale = lang === "fa" ? "fa-IR-u-ca-persian" : lang === "ar" ? "ar-u-nu-arab" : lang;
  var format = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: "UTC" });

  document.querySelectorAll("input[data-send-at]").forEach(function (input) {
    var display = document.getElementById(input.dataset.sendAt);
    if (!display) return;
    function show() {
      var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value);
      // The wall-clock value read as UTC and shown in UTC: the same date and time, another calendar.
      display.textContent = m ? format.format(new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]))) : "";
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  });
})();
