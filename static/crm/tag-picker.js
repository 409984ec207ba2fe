/* Tag pickers: <select data-tag-picker data-tags-url="..."> lists the tags from
 * GET notifications:api-tags with how many contacts each reaches
 * (data-option-text "%(name)s (%(count)s contacts)") and shows the chosen tag's
 * audience size in its [data-audience] sibling (data-audience-text). The
 * select gets data-loaded once the tags are in. A "change" event refreshes it. */
(function () {
  "use strict";

  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function number(n) {
    // Latin digits with grouping, as every other number the pages show (dates, counts).
    return Number(n).toLocaleString("en-US");
  }

  function tagPicker(select) {
    var audience = select.parentNode.querySelector("[data-audience]");
    var counts = {};
    function showAudience() {
      audience.textContent = select.value
        ? fmt(audience.dataset.audienceText, { count: number(counts[select.value] || 0) })
        : "";
    }
    select.addEventListener("change", showAudience);
    fetch(select.dataset.tagsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (resp) {
        return resp.ok ? resp.json() : null;
      })
      .then(function (body) {
        var chosen = select.dataset.value || "";
        ((body && body.tags) || []).forEach(function (tag) {
          counts[tag.name] = tag.contacts;
          var option = document.createElement("option");
          option.value = tag.name;
          // The tag is user text: isolated (FSI ... PDI) inside a right-to-left label.
          option.textContent = fmt(select.dataset.optionText, { name: "\u2068" + tag.name + "\u2069", count: number(tag.contacts) });
          option.selected = tag.name === chosen;
          select.appendChild(option);
        });
        select.setAttribute("data-loaded", "");
        showAudience();
      })
      .catch(function () {});
  }

  document.querySelectorAll("select[data-tag-picker]").forEach(tagPicker);
})();
