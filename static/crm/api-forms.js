/* Dashboard forms posting JSON to the APIs (bulk SMS, bulk email, reports).
 *
 * <form data-api-form action="/api/url/" data-job-url="/jobs/0/"> with named fields
 * (data-job-url: the job page's URL for the id 0, from {% url %}); data-json="list"
 * splits a textarea into a list (lines or commas), data-json="bool" sends a
 * checkbox as true/false; empty fields are left out. A 400's field errors are
 * shown under their fields ([data-errors-for=name]); the rest above the form.
 * On success the header jobs widget is told at once (one poll, then it follows
 * the job), and the form is emptied (counters and pickers too).
 * Tag pickers are tag-picker.js's; [data-counter]
 * textareas count characters and SMS segments with the server's alphabet
 * (#smsAlphabet, notifications.text). */
(function () {
  "use strict";
  var textsNode = document.getElementById("crmFormTexts");
  var T = textsNode ? JSON.parse(textsNode.textContent) : {};
  var alphabetNode = document.getElementById("smsAlphabet");
  var SMS = alphabetNode ? JSON.parse(alphabetNode.textContent) : null;

  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function number(n) {
    // Latin digits with grouping, as every other number the pages show (dates, counts).
    return Number(n).toLocaleString("en-US");
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function csrfToken(form) {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function payload(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.disabled || field.closest("[hidden]")) {
        return;
      }
      var kind = field.dataset.json;
      if (kind === "bool") {
        if (field.checked) {
          data[field.name] = true;
        }
        return;
      }
      var value = field.value.trim();
      if (!value) {
        return;
      }
      if (kind === "datetime") {
        data[field.name] = withOffset(value, field.dataset.timeZone);
        return;
      }
      data[field.name] = kind === "list"
        ? value.split(/[\n,;]+/).map(function (item) { return item.trim(); }).filter(Boolean)
        : value;
    });
    return data;
  }

  // A datetime-local value ("2026-11-27T09:00", wall-clock time of the CRM's time zone)
  // as ISO 8601 with that zone's offset at that moment ("2026-11-27T09:00:00+03:30").
  function withOffset(value, timeZone) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m || !timeZone) {
      return value;
    }
    var wall = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]);
    var offset = zoneOffset(new Date(wall), timeZone);
    offset = zoneOffset(new Date(wall - offset * 60000), timeZone); // the offset at that instant
    var abs = Math.abs(offset);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return m[0] + ":00" + (offset < 0 ? "-" : "+") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  function zoneOffset(date, timeZone) {
    var p = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit",
    }).formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    var local = Date.UTC(+p.year, p.month - 1, +p.day, +p.hour, +p.minute);
    return Math.round((local - Math.floor(date.getTime() / 60000) * 60000) / 60000);
  }

  function flatten(value) {
    if (value === null || value === undefined) {
      return "";
    }
    if (Array.isArray(value)) {
      return value.map(flatten).filter(Boolean).join(" ");
    }
    if (typeof value === "object") {
      return Object.keys(value).map(function (key) {
        var inner = flatten(value[key]);
        return /^\d+$/.test(key) ? inner : key + ": " + inner;
      }).join("; ");
    }
    return String(value);
  }

  function clearErrors(form) {
    form.querySelectorAll(".is-invalid").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
    form.querySelectorAll("[data-errors-for]").forEach(function (node) {
      node.textContent = "";
    });
    form.querySelector(".form-result").textContent = "";
  }

  function alertBox(form, kind, text) {
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " py-2";
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.textContent = text;
    var result = form.querySelector(".form-result");
    result.textContent = "";
    result.appendChild(box);
    return box;
  }

  function fieldErrors(body) {
    // {"errors": {...}}, {"fieldErrors": {...}} or DRF's plain {"field": [...]}.
    if (body.errors && typeof body.errors === "object") {
      return body.errors;
    }
    if (body.fieldErrors && typeof body.fieldErrors === "object") {
      return body.fieldErrors;
    }
    var errors = {};
    Object.keys(body).forEach(function (key) {
      var summary = key === "message" && typeof body[key] === "string" && body.success === false;
      if (key !== "success" && key !== "jobId" && !summary) {
        errors[key] = body[key];
      }
    });
    return errors;
  }

  function showErrors(form, body) {
    var errors = fieldErrors(body);
    var general = [];
    if (typeof body.message === "string" && errors.message !== body.message) {
      general.push(body.message);
    }
    Object.keys(errors).forEach(function (key) {
      var text = flatten(errors[key]);
      var target = form.querySelector('[data-errors-for="' + key + '"]');
      var field = form.elements[key];
      if (target && field && !(field.closest && field.closest("[hidden]"))) {
        target.textContent = text;
        if (field.classList) {
          field.classList.add("is-invalid");
          field.setAttribute("aria-invalid", "true");
        }
      } else {
        general.push(key === "non_field_errors" || key === "detail" || key === "message" ? text : key + ": " + text);
      }
    });
    alertBox(form, "danger", [T.fixErrors].concat(general).filter(Boolean).join(" "));
    var first = form.querySelector(".is-invalid");
    if (first) {
      first.focus();
    }
  }

  function started(form, body) {
    var box = alertBox(form, "success", (body.message || T.started) + " ");
    if (body.jobId) {
      var link = document.createElement("a");
      link.href = form.dataset.jobUrl.replace(/\/0\/$/, "/" + body.jobId + "/"); // {% url 'job-detail' 0 %}
      link.className = "alert-link";
      link.textContent = T.viewJob;
      box.appendChild(link);
    }
    document.dispatchEvent(new CustomEvent("crm:job-started", { detail: { jobId: body.jobId } }));
  }

  function submit(event) {
    var form = event.target;
    event.preventDefault();
    clearErrors(form);
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    // One key per submission: sent again if the answer was lost, so the API starts one job.
    form.dataset.idempotencyKey = form.dataset.idempotencyKey || newKey();
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
        "Idempotency-Key": form.dataset.idempotencyKey,
      },
      body: JSON.stringify(payload(form)),
    })
      .then(function (resp) {
        return resp.json().catch(function () { return null; }).then(function (body) {
          if (resp.status < 500) {
            delete form.dataset.idempotencyKey; // answered: the next submission is a new one
          }
          if (resp.ok && body && body.success !== false) {
            started(form, body);
            form.querySelectorAll("textarea, input[type=text], input[type=email], select[data-tag-picker], input[type=datetime-local]").forEach(
              function (field) {
                if (field.name !== "subject") {
                  field.value = "";
                  field.dispatchEvent(new Event("input"));
                  field.dispatchEvent(new Event("change"));
                }
              }
            );
          } else if (resp.status === 400 && body) {
            showErrors(form, body);
          } else {
            alertBox(form, "danger", (body && (body.detail || body.message)) || T.error);
          }
        });
      })
      .catch(function () {
        alertBox(form, "danger", T.error);
      })
      .then(function () {
        button.disabled = false;
      });
  }

  function toggleKindFields(select) {
    var form = select.form;
    form.querySelectorAll("[data-show-for-kind]").forEach(function (node) {
      node.hidden = node.dataset.showForKind.split(" ").indexOf(select.value) === -1;
    });
  }

  function segments(text) {
    // notifications.text.sms_segments: GSM-7 septets (extension characters count two) or UTF-16 units.
    var chars = Array.from(text);
    var gsm = chars.every(function (c) {
      return SMS.basic.indexOf(c) !== -1 || SMS.extended.indexOf(c) !== -1;
    });
    var units = gsm
      ? chars.reduce(function (sum, c) { return sum + (SMS.extended.indexOf(c) !== -1 ? 2 : 1); }, 0)
      : text.length;
    var size = SMS.sizes[gsm ? "GSM-7" : "UCS-2"];
    if (units <= size[0]) {
      return units ? 1 : 0;
    }
    return Math.ceil(units / size[1]);
  }

  function counter(field) {
    var out = document.getElementById(field.dataset.counter);
    var text = field.value;
    out.textContent = fmt(out.dataset.counterText, {
      chars: number(Array.from(text).length),
      segments: SMS ? number(segments(text)) : "",
    });
  }



  document.querySelectorAll("form[data-api-form]").forEach(function (form) {
    form.addEventListener("submit", submit);
    var kind = form.querySelector("select[name=kind]");
    if (kind) {
      kind.addEventListener("change", function () { toggleKindFields(kind); });
      toggleKindFields(kind);
    }
    form.querySelectorAll("[data-counter]").forEach(function (field) {
      field.addEventListener("input", function () { counter(field); });
      counter(field);
    });
  });
})();
