/*
 * CRM header jobs widget (seed 000 "UI Components").
 *
 * - Renders at once from the JSON embedded in the page (#headerJobsData, the
 *   same JSON as /jobs/api/active/ and /jobs/api/history/?take=5).
 * - Polls /jobs/api/active/ with a conditional GET (If-None-Match/ETag) every
 *   5 s, only while the user has an active job (and once right after the user
 *   starts one: dispatch a "crm:job-started" event with detail {jobId}).
 *   No job active, no requests. Paused while the tab is hidden.
 * - When a job leaves the active list, its final state is fetched, shown for a
 *   moment with a toast, then it moves to the recent jobs (history refreshed).
 * Plain JavaScript, no build step; all text comes from the server (translated).
 */
(function () {
  "use strict";

  var root = document.getElementById("headerJobs");
  if (!root) {
    return;
  }
  var button = document.getElementById("page-header-jobs-dropdown");
  var badge = document.getElementById("headerJobsBadge");
  var activeList = document.getElementById("headerJobsActive");
  var recentList = document.getElementById("headerJobsRecent");
  var toasts = document.getElementById("crmToasts");
  var initial = JSON.parse(document.getElementById("headerJobsData").textContent);
  var T = JSON.parse(document.getElementById("headerJobsText").textContent);

  var INTERVAL = parseInt(root.dataset.interval, 10) || 5000;
  var MAX_BACKOFF = 60000;
  var FINAL_STATE_MS = 3000;
  var RECENT_SIZE = 5;
  var STATUS = { PENDING: 0, RUNNING: 1, COMPLETED: 2, FAILED: 3, CANCELLED: 4 };
  var TYPE_REPORT = 2;
  var TYPE_EXPORT = 3;

  var state = {
    active: (initial.active && initial.active.jobs) || [],
    recent: (initial.recent && initial.recent.jobs) || [],
    finishing: {}, // id -> job shown in its final state before moving to recent
    watched: {}, // ids the user just started, not yet seen in the active list
    etag: initial.etag || null, // the embedded list's ETag: the first poll is a 304 if nothing changed
    timer: null,
    inflight: false,
    failures: 0,
    stopped: false, // 401/403: the session is gone
    menuOpen: false,
  };

  // --- helpers ------------------------------------------------------------------

  function isActive(job) {
    return job.status === STATUS.PENDING || job.status === STATUS.RUNNING;
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

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function detailPageUrl(id) {
    return (root.dataset.jobsPageUrl || "/jobs/") + id + "/";
  }

  function detailApiUrl(id) {
    return root.dataset.detailUrl.replace(/0\/$/, id + "/");
  }

  function getJson(url, extraHeaders) {
    var headers = { Accept: "application/json" };
    Object.keys(extraHeaders || {}).forEach(function (key) {
      headers[key] = extraHeaders[key];
    });
    // no-store: conditional requests are ours, 304s reach this code untouched.
    return fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" });
  }

  function progressText(job) {
    return (job.progress || 0) + "% - " + (job.processedItems || 0) + "/" + (job.totalItems || 0);
  }

  function finalWord(job) {
    if (job.status === STATUS.COMPLETED) {
      return T.completed;
    }
    if (job.status === STATUS.CANCELLED) {
      return T.cancelled;
    }
    return T.failed;
  }

  // --- rendering ------------------------------------------------------------------

  function statusBadge(job) {
    var span = el("span", "badge job-status " + (job.statusBadgeClass || "bg-secondary"), job.statusText);
    span.setAttribute("data-status", job.status);
    return span;
  }

  function setStatusBadge(node, job) {
    var badgeNode = node.querySelector(".job-status");
    badgeNode.className = "badge job-status " + (job.statusBadgeClass || "bg-secondary");
    badgeNode.setAttribute("data-status", job.status);
    if (badgeNode.textContent !== job.statusText) {
      badgeNode.textContent = job.statusText;
    }
  }

  function downloadLink(job) {
    var link = el("a", "job-download small ms-2", T.download);
    link.href = job.downloadUrl;
    return link;
  }

  function buildActiveItem(job) {
    var item = el("div", "job-item px-3 py-2");
    item.setAttribute("data-job-id", job.id);
    var head = el("div", "d-flex justify-content-between align-items-start gap-2");
    var title = el("a", "fw-semibold job-title text-body text-decoration-none", job.title);
    title.href = detailPageUrl(job.id);
    head.appendChild(title);
    head.appendChild(statusBadge(job));
    item.appendChild(head);
    var progress = el("div", "progress my-1");
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-valuemin", "0");
    progress.setAttribute("aria-valuemax", "100");
    progress.setAttribute("aria-label", fmt(T.progressLabel, { title: job.title }));
    progress.appendChild(el("div", "progress-bar"));
    item.appendChild(progress);
    var small = el("small", "job-progress-text text-body-secondary");
    small.appendChild(el("bdi", "job-progress-numbers"));
    small.lastChild.setAttribute("dir", "ltr");
    item.appendChild(small);
    return item;
  }

  function updateActiveItem(item, job) {
    var finished = !isActive(job);
    item.classList.toggle("job-finished", finished);
    setStatusBadge(item, job);
    var progress = item.querySelector('[role="progressbar"]');
    var bar = progress.querySelector(".progress-bar");
    var value = String(job.progress || 0);
    if (progress.getAttribute("aria-valuenow") !== value) {
      progress.setAttribute("aria-valuenow", value);
      bar.style.width = value + "%";
    }
    bar.className =
      "progress-bar" +
      (job.status === STATUS.RUNNING ? " progress-bar-striped progress-bar-animated" : "") +
      (finished ? " " + (job.statusBadgeClass || "bg-secondary") : "");
    var numbers = item.querySelector(".job-progress-numbers");
    var text = progressText(job);
    if (numbers.textContent !== text) {
      numbers.textContent = text;
    }
    var small = item.querySelector(".job-progress-text");
    var existing = small.querySelector(".job-download");
    if (job.status === STATUS.COMPLETED && job.downloadUrl && !existing) {
      small.appendChild(downloadLink(job));
    }
  }

  function renderActive() {
    var jobs = state.active.slice();
    Object.keys(state.finishing).forEach(function (id) {
      if (!state.finishing[id].placeholder) {
        jobs.push(state.finishing[id]);
      }
    });
    var seen = {};
    jobs.forEach(function (job, index) {
      seen[job.id] = true;
      var item = activeList.querySelector('[data-job-id="' + job.id + '"]');
      if (!item) {
        item = buildActiveItem(job);
      }
      var at = activeList.children[index];
      if (at !== item) {
        activeList.insertBefore(item, at || null);
      }
      updateActiveItem(item, job);
    });
    Array.prototype.slice.call(activeList.children).forEach(function (child) {
      var id = child.getAttribute("data-job-id");
      if ((id && !seen[id]) || (!id && jobs.length)) {
        activeList.removeChild(child);
      }
    });
    if (!jobs.length && !activeList.querySelector("[data-empty]")) {
      var empty = el("div", "px-3 py-2 small text-body-secondary", T.noActive);
      empty.setAttribute("data-empty", "");
      activeList.appendChild(empty);
    }
  }

  function renderRecent() {
    var shown = {};
    state.active.forEach(function (job) {
      shown[job.id] = true;
    });
    Object.keys(state.finishing).forEach(function (id) {
      shown[id] = true;
    });
    var jobs = state.recent
      .filter(function (job) {
        return !isActive(job) && !shown[job.id];
      })
      .slice(0, RECENT_SIZE);
    recentList.textContent = "";
    jobs.forEach(function (job) {
      var item = el("div", "job-history-item px-3 py-2 d-flex justify-content-between align-items-start gap-2");
      item.setAttribute("data-job-id", job.id);
      var title = el("a", "fw-semibold job-title text-body text-decoration-none", job.title);
      title.href = detailPageUrl(job.id);
      var left = el("div", "text-truncate");
      left.appendChild(title);
      if (job.status === STATUS.COMPLETED && job.downloadUrl) {
        left.appendChild(downloadLink(job));
      }
      item.appendChild(left);
      item.appendChild(statusBadge(job));
      recentList.appendChild(item);
    });
    if (!jobs.length) {
      recentList.appendChild(el("div", "px-3 py-2 small text-body-secondary", T.noRecent));
    }
  }

  function renderButton() {
    var count = state.active.length;
    badge.textContent = String(count);
    badge.hidden = count === 0;
    // Shown only while jobs are active; an open menu stays until the user closes it.
    var visible = count > 0 || Object.keys(state.finishing).length > 0 || state.menuOpen;
    button.hidden = !visible;
    root.classList.toggle("has-active-jobs", count > 0);
  }

  function render() {
    renderActive();
    renderRecent();
    renderButton();
  }

  function toast(job) {
    if (!toasts) {
      return;
    }
    var node = el("div", "toast job-toast");
    node.setAttribute("role", "status");
    node.setAttribute("aria-live", "polite");
    node.setAttribute("aria-atomic", "true");
    node.setAttribute("data-job-id", job.id);
    var header = el("div", "toast-header gap-2");
    header.appendChild(statusBadge(job));
    header.appendChild(el("strong", "me-auto text-truncate", job.title));
    var close = el("button", "btn-close");
    close.type = "button";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", T.close);
    header.appendChild(close);
    node.appendChild(header);
    var body = el("div", "toast-body");
    var isFile = job.jobType === TYPE_REPORT || job.jobType === TYPE_EXPORT;
    if (job.status === STATUS.COMPLETED && isFile && job.downloadUrl) {
      body.appendChild(document.createTextNode(T.reportReady + " - "));
      var link = el("a", "fw-semibold job-download", T.download);
      link.href = job.downloadUrl;
      body.appendChild(link);
    } else {
      var text = finalWord(job);
      if (job.status === STATUS.COMPLETED || job.totalItems) {
        text += " - " + fmt(T.counts, { success: job.successCount || 0, failed: job.failedCount || 0 });
      }
      body.appendChild(el("span", "", text));
      if (job.errorMessage) {
        body.appendChild(el("div", "small text-danger-emphasis mt-1", job.errorMessage));
      }
    }
    var details = el("a", "d-block small mt-1", T.details);
    details.href = detailPageUrl(job.id);
    body.appendChild(details);
    node.appendChild(body);
    toasts.appendChild(node);
    if (window.bootstrap && window.bootstrap.Toast) {
      node.addEventListener("hidden.bs.toast", function () {
        node.remove();
      });
      new window.bootstrap.Toast(node, { delay: 10000 }).show();
    } else {
      node.classList.add("show");
    }
  }

  // --- data ------------------------------------------------------------------

  function refreshRecent() {
    return getJson(root.dataset.historyUrl)
      .then(function (resp) {
        return resp.ok ? resp.json() : null;
      })
      .then(function (body) {
        if (body && body.jobs) {
          state.recent = body.jobs;
        }
      })
      .catch(function () {});
  }

  function finish(lastSeen) {
    // The job left the active list: show its final state, a toast, then move it.
    state.finishing[lastSeen.id] = lastSeen;
    return getJson(detailApiUrl(lastSeen.id))
      .then(function (resp) {
        return resp.ok ? resp.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (body) {
        var job = body && body.job;
        if (!job || isActive(job)) {
          delete state.finishing[lastSeen.id];
          return refreshRecent().then(render);
        }
        state.finishing[job.id] = job;
        render();
        toast(job);
        window.setTimeout(function () {
          refreshRecent().then(function () {
            delete state.finishing[job.id];
            render();
          });
        }, FINAL_STATE_MS);
      });
  }

  function applyActive(jobs) {
    var now = {};
    jobs.forEach(function (job) {
      now[job.id] = true;
      delete state.watched[job.id];
    });
    state.active.forEach(function (job) {
      if (!now[job.id] && !state.finishing[job.id]) {
        finish(job);
      }
    });
    Object.keys(state.watched).forEach(function (id) {
      // Started and already finished before we could see it run.
      delete state.watched[id];
      if (!now[id] && !state.finishing[id]) {
        finish({ id: parseInt(id, 10), placeholder: true });
      }
    });
    state.active = jobs;
    render();
  }

  function clearTimer() {
    if (state.timer) {
      window.clearTimeout(state.timer);
      state.timer = null;
    }
  }

  function schedule(delay) {
    clearTimer();
    if (state.stopped || document.hidden) {
      return;
    }
    state.timer = window.setTimeout(poll, delay);
  }

  function scheduleNext() {
    // Poll again only while something is active: no active job, no requests.
    if (state.active.length > 0 || Object.keys(state.watched).length > 0) {
      var delay = state.failures ? Math.min(INTERVAL * Math.pow(2, state.failures), MAX_BACKOFF) : INTERVAL;
      schedule(delay);
    }
  }

  function poll() {
    clearTimer();
    if (state.inflight || state.stopped || document.hidden) {
      return;
    }
    state.inflight = true;
    getJson(root.dataset.activeUrl, state.etag ? { "If-None-Match": state.etag } : {})
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
        if (body && body.jobs) {
          applyActive(body.jobs);
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

  // --- wiring ------------------------------------------------------------------

  function jobStarted(jobId) {
    if (jobId) {
      state.watched[jobId] = true;
    }
    state.stopped = false;
    poll();
  }

  document.addEventListener("crm:job-started", function (event) {
    jobStarted(event.detail && event.detail.jobId);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimer();
    } else if (state.active.length > 0 || Object.keys(state.watched).length > 0) {
      poll();
    }
  });

  button.addEventListener("shown.bs.dropdown", function () {
    state.menuOpen = true;
  });
  button.addEventListener("hidden.bs.dropdown", function () {
    state.menuOpen = false;
    renderButton();
  });

  window.crmJobs = { jobStarted: jobStarted, refresh: poll };

  render();
  scheduleNext();
})();
