// Exports with a progress bar: start the export as a background job, ask for its progress until
// it is done, then fetch the file. Without JavaScript the links download the file directly.
(function () {
  "use strict";
  var box = document.querySelector(".export-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var status = box.querySelector(".export-status");
  var words = document.documentElement.lang === "en"
    ? { running: "Preparing", done: "Ready — downloading", failed: "The export failed" }
    : { running: "正在生成", done: "已生成，正在下载", failed: "导出失败" };

  function poll(url, link) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      bar.max = job.total || 1;
      bar.value = job.done || 0;
      if (job.state === "done") {
        status.textContent = words.done;
        link.removeAttribute("aria-busy");
        window.location.href = job.file;
      } else if (job.state === "failed") {
        status.textContent = words.failed + (job.message ? "：" + job.message : "");
        link.removeAttribute("aria-busy");
      } else {
        status.textContent = words.running + " " + job.done + " / " + job.total;
        window.setTimeout(function () { poll(url, link); }, 250);
      }
    }).catch(function () { status.textContent = words.failed; link.removeAttribute("aria-busy"); });
  }

  document.querySelectorAll("[data-export]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (link.getAttribute("aria-busy")) { return; }
      link.setAttribute("aria-busy", "true");
      box.hidden = false;
      bar.value = 0;
      status.textContent = words.running;
      fetch(link.dataset.start, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (job) { poll(job.status, link); })
        .catch(function () { status.textContent = words.failed; link.removeAttribute("aria-busy"); });
    });
  });
})();
