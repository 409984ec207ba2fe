/*
 * CrmJobs: what every jobs view in the browser shares (the header widget, the
 * jobs list, the job detail page).
 *
 * - poller(): one conditional-GET poller (If-None-Match/ETag, 304 = nothing
 *   changed). Polls only while `shouldContinue()` says something is active,
 *   pauses while the tab is hidden and resumes when it shows again, backs off
 *   on errors, stops for good on 401/403 (the session is gone).
 * - The job's presentation from its JSON: status codes come from the server
 *   (#jobStatusCodes, jobs.context.status_codes), colours from statusBadgeClass,
 *   texts from #headerJobsText (translated on the server); progress text, and
 *   the wave-2 additions when present (queue position, time left, rate,
 *   failure summary, scheduled start, details page).
 * URLs always come from the page (data attributes rendered by {% url %}).
 */
(function () {
  "use strict";

  function readJson(id, fallback) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : fallback;
  }

  var STATUS = readJson("jobStatusCodes", { active: [] });
  var T = readJson("headerJobsText", {});
  var LANG = (document.documentElement.lang || "en").split("-")[0];

  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function isActive(job) {
    return STATUS.active.indexOf(job.status) !== -1;
  }

  function present(value) {
    return value !== undefined && value !== null && value !== "";
  }

  function progressText(job) {
    return (job.progress || 0) + "% - " + (job.processedItems || 0) + "/" + (job.totalItems || 0);
  }

  function completedWithFailures(job) {
    return job.status === STATUS.COMPLETED && (job.failedCount || 0) > 0;
  }

  function badge(job) {
    // The server's colour and text; a completed job with failures is a warning.
    if (completedWithFailures(job)) {
      return { className: "bg-warning", text: T.completedWithFailures };
    }
    return { className: job.statusBadgeClass || "bg-secondary", text: job.statusText };
  }

  function setBadge(node, job) {
    var b = badge(job);
    node.className = node.className.replace(/\bbg-[\w-]+/g, "").replace(/\s+/g, " ").trim() + " " + b.className;
    node.setAttribute("data-status", job.status);
    if (node.textContent !== b.text) {
      node.textContent = b.text;
    }
  }

  function setBar(progress, job) {
    // progress: the [role=progressbar] element holding a .progress-bar
    var bar = progress.querySelector(".progress-bar");
    var value = String(job.progress || 0);
    if (progress.getAttribute("aria-valuenow") !== value) {
      progress.setAttribute("aria-valuenow", value);
      bar.style.width = value + "%";
    }
    bar.className =
      "progress-bar " + badge(job).className +
      (job.status === STATUS.RUNNING ? " progress-bar-striped progress-bar-animated" : "");
  }

  function ordinal(n) {
    if (LANG !== "en" || !window.Intl || !Intl.PluralRules) {
      return String(n);
    }
    var suffix = { one: "st", two: "nd", few: "rd", other: "th" };
    return n + suffix[new Intl.PluralRules("en", { type: "ordinal" }).select(n)];
  }

  function timeLeft(seconds) {
    if (seconds < 60) {
      return T.etaUnderMinute;
    }
    var minutes = Math.round(seconds / 60);
    if (minutes < 90) {
      return fmt(T.etaMinutes, { minutes: minutes });
    }
    return fmt(T.etaHours, { hours: Math.round(minutes / 6) / 10 });
  }

  /* The wave-2 additions present in this job's JSON, as [{kind, text, href}]. */
  function extras(job) {
    var out = [];
    if (present(job.scheduledFor) && job.status === STATUS.PENDING) {
      out.push({ kind: "scheduled", text: fmt(T.scheduledFor, { date: job.scheduledFor }) });
    }
    if (present(job.queuePosition)) {
      out.push({ kind: "queue", text: fmt(T.queuePosition, { position: ordinal(job.queuePosition) }) });
    }
    if (present(job.etaSeconds)) {
      out.push({ kind: "eta", text: timeLeft(job.etaSeconds) });
    }
    if (present(job.ratePerSecond)) {
      out.push({ kind: "rate", text: fmt(T.rate, { rate: Math.round(job.ratePerSecond * 10) / 10 }) });
    }
    if (present(job.failureSummary)) {
      out.push({ kind: "failures", text: job.failureSummary });
    }
    if (present(job.detailUrl)) {
      out.push({ kind: "details", text: T.detailPage, href: job.detailUrl });
    }
    return out;
  }

  function renderExtras(container, job) {
    var items = extras(job);
    var key = JSON.stringify(items);
    if (container.getAttribute("data-rendered") === key) {
      return;
    }
    container.setAttribute("data-rendered", key);
    container.textContent = "";
    container.hidden = items.length === 0;
    items.forEach(function (item) {
      var node = item.href ? el("a", "job-extra", item.text) : el("span", "job-extra", item.text);
      if (item.href) {
        node.href = item.href;
      }
      node.setAttribute("data-extra", item.kind);
      if (item.kind === "failures") {
        node.className += " text-danger-emphasis";
      }
      container.appendChild(node);
    });
  }

  function getJson(url, headers) {
    var all = { Accept: "application/json" };
    Object.keys(headers || {}).forEach(function (key) {
      all[key] = headers[key];
    });
    // no-store: conditional requests are ours, 304s reach this code untouched.
    return fetch(url, { headers: all, credentials: "same-origin", cache: "no-store" });
  }

  /*
   * poller({url, interval, onData(body), shouldContinue()}):
   * start() polls now if something is active, poll() polls now regardless.
   */
  function poller(options) {
    var interval = options.interval || 5000;
    var maxBackoff = 60000;
    var state = { etag: options.etag || null, timer: null, inflight: false, failures: 0, stopped: false };

    function clearTimer() {
      if (state.timer) {
        window.clearTimeout(state.timer);
        state.timer = null;
      }
    }

    function scheduleNext() {
      clearTimer();
      if (state.stopped || document.hidden || !options.shouldContinue()) {
        return;
      }
      var delay = state.failures ? Math.min(interval * Math.pow(2, state.failures), maxBackoff) : interval;
      state.timer = window.setTimeout(poll, delay);
    }

    function poll() {
      clearTimer();
      if (state.inflight || state.stopped || document.hidden) {
        return;
      }
      state.inflight = true;
      getJson(options.url, state.etag ? { "If-None-Match": state.etag } : {})
        .then(function (resp) {
          if (resp.status === 304) {
            return null;
          }
          if (resp.status === 401 || resp.status === 403) {
            state.stopped = true;
            return null;
          }
          if (!resp.ok) {
            throw new Error("HTTP " + resp.status);
          }
          state.etag = resp.headers.get("ETag");
          return resp.json();
        })
        .then(function (body) {
          state.failures = 0;
          if (body) {
            options.onData(body);
          }
        })
        .catch(function () {
          state.failures += 1;
        })
        .then(function () {
          state.inflight = false;
          scheduleNext();
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        clearTimer();
      } else if (options.shouldContinue()) {
        poll();
      }
    });

    return {
      start: scheduleNext,
      poll: function () {
        state.stopped = false;
        poll();
      },
    };
  }

  window.CrmJobs = {
    STATUS: STATUS,
    T: T,
    el: el,
    fmt: fmt,
    getJson: getJson,
    isActive: isActive,
    progressText: progressText,
    badge: badge,
    setBadge: setBadge,
    setBar: setBar,
    extras: extras,
    renderExtras: renderExtras,
    poller: poller,
  };
})();
