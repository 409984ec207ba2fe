/*
 * CRM header jobs widget (seed 000 "UI Components").
 *
 * - Renders at once from the JSON embedded in the page (#headerJobsData, the
 *   same JSON as /jobs/api/active/ and /jobs/api/history/?take=5).
 * - Polls /jobs/api/active/ through CrmJobs.poller (job-poller.js: conditional
 *   GET every 5 s, only while the user has an active job, and once right after
 *   the user starts one: dispatch a "crm:job-started" event with detail {jobId}).
 *   No job active, no requests. Paused while the tab is hidden.
 * - When a job leaves the active list, its final state is fetched, shown for a
 *   moment with a toast, then it moves to the recent jobs (history refreshed).
 * - Tells the page: "crm:jobs-active" {jobs} after every change of the active
 *   list, "crm:job-finished" {job} with a job's final state (the jobs list and
 *   the job detail page follow these: one poller per page).
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
  var J = window.CrmJobs;
  var T = J.T;
  var STATUS = J.STATUS;
  var el = J.el;
  var fmt = J.fmt;
  var isActive = J.isActive;
  var getJson = J.getJson;

  var FINAL_STATE_MS = 3000;
  var RECENT_SIZE = 5;

  var state = {
    active: (initial.active && initial.active.jobs) || [],
    recent: (initial.recent && initial.recent.jobs) || [],
    finishing: {}, // id -> job shown in its final state before moving to recent
    watched: {}, // ids the user just started, not yet seen in the active list
    menuOpen: false,
  };

  // --- helpers ------------------------------------------------------------------

  function fromTemplate(template, id) {
    // URLs rendered by {% url %} with the id 0, e.g. /jobs/0/ -> /jobs/42/
    return template.replace(/\/0\/$/, "/" + id + "/");
  }

  function detailPageUrl(id) {
    return fromTemplate(root.dataset.pageUrl, id);
  }

  function detailApiUrl(id) {
    return fromTemplate(root.dataset.detailUrl, id);
  }

  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
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
    var span = el("span", "badge job-status");
    J.setBadge(span, job);
    return span;
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
    title.dir = "auto";
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
    item.appendChild(el("div", "job-extras small text-body-secondary"));
    return item;
  }

  function updateActiveItem(item, job) {
    var finished = !isActive(job);
    item.classList.toggle("job-finished", finished);
    J.setBadge(item.querySelector(".job-status"), job);
    J.setBar(item.querySelector('[role="progressbar"]'), job);
    J.renderExtras(item.querySelector(".job-extras"), job);
    var numbers = item.querySelector(".job-progress-numbers");
    var text = J.progressText(job);
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
      title.dir = "auto";
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
    var strong = el("strong", "me-auto text-truncate", job.title);
    strong.dir = "auto";
    header.appendChild(strong);
    var close = el("button", "btn-close");
    close.type = "button";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", T.close);
    header.appendChild(close);
    node.appendChild(header);
    var body = el("div", "toast-body");
    if (job.status === STATUS.COMPLETED && job.downloadUrl) {
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
      if (job.errorMessage || job.failureSummary) {
        body.appendChild(el("div", "small text-danger-emphasis mt-1", job.errorMessage || job.failureSummary));
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
        tell("crm:job-finished", { job: job });
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
    tell("crm:jobs-active", { jobs: jobs });
  }

  function somethingActive() {
    return state.active.length > 0 || Object.keys(state.watched).length > 0;
  }

  var poller = J.poller({
    url: root.dataset.activeUrl,
    interval: parseInt(root.dataset.interval, 10) || 5000,
    etag: initial.etag || null, // the embedded list's ETag: the first poll is a 304 if nothing changed
    shouldContinue: somethingActive,
    onData: function (body) {
      if (body.jobs) {
        applyActive(body.jobs);
      }
    },
  });

  // --- wiring ------------------------------------------------------------------

  function jobStarted(jobId) {
    if (jobId) {
      state.watched[jobId] = true;
    }
    poller.poll();
  }

  document.addEventListener("crm:job-started", function (event) {
    jobStarted(event.detail && event.detail.jobId);
  });

  button.addEventListener("shown.bs.dropdown", function () {
    state.menuOpen = true;
  });
  button.addEventListener("hidden.bs.dropdown", function () {
    state.menuOpen = false;
    renderButton();
  });

  window.crmJobs = { jobStarted: jobStarted, refresh: poller.poll };

  render();
  poller.start();
})();
