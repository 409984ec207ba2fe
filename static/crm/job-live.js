/*
 * Jobs shown on the page (the jobs tables, the job detail card) follow the
 * header widget's poller: no second poller, no requests of their own.
 *
 * - "crm:jobs-active" {jobs}: every shown row of an active job gets its status,
 *   bar, progress text, duration and wave-2 extras.
 * - "crm:job-finished" {job}: the row shows the final state and loses its cancel
 *   button; the detail page of that job reloads (final buttons, download link).
 * - A form with data-confirm (cancelling a big job) asks before it is sent.
 * - On load, the embedded JSON (#jobsTableData, #jobDetailData) renders the
 *   parts only the script draws (extras, "Completed with failures").
 * Elements: [data-job-live] [data-job-id] rows, or #jobDetail[data-job-id].
 */
(function () {
  "use strict";
  var J = window.CrmJobs;
  if (!J) {
    return;
  }
  var detail = document.getElementById("jobDetail");

  function setText(node, value) {
    if (!node) {
      return;
    }
    var text = value === null || value === undefined || value === "" ? "—" : String(value);
    if (node.textContent !== text) {
      node.textContent = text;
    }
  }

  function holders(id) {
    var nodes = Array.prototype.slice.call(document.querySelectorAll('[data-job-live] [data-job-id="' + id + '"]'));
    if (detail && detail.dataset.jobId === String(id)) {
      nodes.push(detail);
    }
    return nodes;
  }

  function apply(node, job) {
    var badge = node.querySelector(".job-status");
    if (badge) {
      J.setBadge(badge, job);
    }
    var progress = node.querySelector(".job-progress");
    if (progress) {
      J.setBar(progress, job);
    }
    setText(node.querySelector(".job-progress-text bdi"), J.progressText(job));
    setText(node.querySelector(".job-duration"), job.duration);
    var extras = node.querySelector(".job-extras");
    if (extras) {
      J.renderExtras(extras, job);
    }
    if (!J.isActive(job)) {
      node.querySelectorAll("[data-cancel-form]").forEach(function (form) {
        form.hidden = true;
      });
    }
    if (node === detail) {
      setText(document.getElementById("jobTotal"), job.totalItems);
      setText(document.getElementById("jobProcessed"), job.processedItems);
      setText(document.getElementById("jobSuccess"), job.successCount);
      setText(document.getElementById("jobFailed"), job.failedCount);
      setText(document.getElementById("jobStart"), job.startDate);
    }
  }

  function applyAll(jobs) {
    jobs.forEach(function (job) {
      holders(job.id).forEach(function (node) {
        apply(node, job);
      });
    });
  }

  function embedded(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  document.addEventListener("crm:jobs-active", function (event) {
    applyAll(event.detail.jobs || []);
  });

  document.addEventListener("crm:job-finished", function (event) {
    var job = event.detail.job;
    applyAll([job]);
    if (detail && detail.dataset.active === "true" && detail.dataset.jobId === String(job.id)) {
      window.location.reload();
    }
  });

  // A big job's cancel button asks first (forms with data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  applyAll(embedded("jobsTableData") || []);
  var one = embedded("jobDetailData");
  if (one) {
    applyAll([one]);
  }
})();
