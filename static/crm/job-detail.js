/* Job detail page: while the job is active, refresh its counts from
 * /jobs/api/<id>/ every 5 s (paused while the tab is hidden); reload the page
 * once it finishes so the final state, buttons and download link show. */
(function () {
  "use strict";
  var card = document.getElementById("jobDetail");
  if (!card || card.dataset.active !== "true") {
    return;
  }
  var INTERVAL = 5000;
  var timer = null;

  function setText(id, value) {
    var node = document.getElementById(id);
    var text = value === null || value === undefined || value === "" ? "—" : String(value);
    if (node && node.textContent !== text) {
      node.textContent = text;
    }
  }

  function apply(job) {
    var progress = document.getElementById("jobProgress");
    progress.setAttribute("aria-valuenow", String(job.progress));
    progress.querySelector(".progress-bar").style.width = job.progress + "%";
    setText("jobProgressText", job.progress + "% - " + job.processedItems + "/" + job.totalItems);
    setText("jobTotal", job.totalItems);
    setText("jobProcessed", job.processedItems);
    setText("jobSuccess", job.successCount);
    setText("jobFailed", job.failedCount);
    setText("jobStart", job.startDate);
    setText("jobDuration", job.duration);
    var status = document.getElementById("jobStatus");
    status.className = "badge fs-6 job-status " + job.statusBadgeClass;
    status.setAttribute("data-status", job.status);
    setText("jobStatus", job.statusText);
  }

  function tick() {
    timer = null;
    if (document.hidden) {
      return;
    }
    fetch(card.dataset.apiUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        return resp.ok ? resp.json() : null;
      })
      .then(function (body) {
        if (!body || !body.job) {
          return;
        }
        apply(body.job);
        if (body.job.status !== 0 && body.job.status !== 1) {
          window.location.reload();
          return;
        }
        timer = window.setTimeout(tick, INTERVAL);
      })
      .catch(function () {
        timer = window.setTimeout(tick, INTERVAL * 2);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !timer) {
      tick();
    } else if (document.hidden && timer) {
      window.clearTimeout(timer);
      timer = null;
    }
  });
  timer = window.setTimeout(tick, INTERVAL);
})();
