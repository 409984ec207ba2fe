// The scheduled-send picker: a native <input type="datetime-local"> (wall-clock time of the
// CRM's time zone), and beside it the chosen time in the reader's own calendar, through the
// browser's Intl API: the Persian (Jalali) calendar in Persian, e.g. «سه‌شنبه ۱۴ اسفند ۱۴۰۳، ساعت ۹:۰۰».
(function () {
  "use strict";
  var input = document.querySelector("input.send-at");
  var display = document.getElementById("sendAtDisplay");
  if (!input || !display) return;
  var lang = document.documentElement.lang || "en";
  var locale = lang === "fa" ? "fa-IR-u-ca-persian" : lang === "ar" ? "ar-u-nu-arab" : lang;
  var format = new Intl.DateTimeFormat(locale, {
    dateStyle: "full", timeStyle: "short", timeZone: "UTC",
  });
  function show() {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value);
    // The wall-clock value read as UTC and shown in UTC: the same date and time, another calendar.
    display.textContent = m ? format.format(new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]))) : "";
  }
  input.addEventListener("input", show);
  input.addEventListener("change", show);
  show();
})();
