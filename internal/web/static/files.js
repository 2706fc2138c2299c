// ftpanel file manager: progressive enhancement of files.html. Without
// JavaScript every form works as it is; with it, uploads stream with a
// progress bar (drag and drop too), files over the threshold go in
// resumable chunks, and the "open as" selector navigates on change.
(function () {
  "use strict";

  var CHUNK = 8 * 1024 * 1024; // data-chunk-size on the form overrides it

  function $(sel, root) { return (root || document).querySelector(sel); }

  function showError(msg) {
    var box = $("[data-fm-error]");
    if (!box) { return; }
    box.textContent = msg;
    box.hidden = false;
  }

  function errorOf(xhr) {
    try { return JSON.parse(xhr.responseText).error || ("Upload failed (" + xhr.status + ")."); }
    catch (e) { return "Upload failed (" + xhr.status + ")."; }
  }

  // send posts body to url with the CSRF header; onProgress gets bytes sent.
  function send(method, url, body, token, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("Accept", "application/json");
      if (onProgress && xhr.upload) {
        xhr.upload.addEventListener("progress", function (ev) { onProgress(ev.loaded); });
      }
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          try { resolve(JSON.parse(xhr.responseText)); } catch (e) { resolve({}); }
        } else {
          reject(new Error(errorOf(xhr)));
        }
      });
      xhr.addEventListener("error", function () { reject(new Error("The connection to the panel was lost.")); });
      xhr.send(body);
    });
  }

  function chunkURL(base, dir, name, extra) {
    var u = new URL(base, location.href);
    u.searchParams.set("path", dir);
    u.searchParams.set("name", name);
    Object.keys(extra || {}).forEach(function (k) { u.searchParams.set(k, extra[k]); });
    return u.toString();
  }

  // uploadChunked sends a large file in chunks, resuming after what the
  // server already holds.
  function uploadChunked(form, file, token, progress) {
    var base = form.getAttribute("data-chunk-url");
    var size = parseInt(form.getAttribute("data-chunk-size"), 10) || CHUNK;
    var dir = form.getAttribute("data-dir");
    return send("GET", chunkURL(base, dir, file.name), null, token).then(function (st) {
      var offset = st.size && st.size <= file.size ? st.size : 0;
      function next() {
        var end = Math.min(offset + size, file.size);
        var url = chunkURL(base, dir, file.name, { offset: offset, total: file.size });
        return send("POST", url, file.slice(offset, end), token, function (n) { progress(offset + n); })
          .then(function (res) {
            offset = res.size;
            progress(offset);
            if (res.done) { return res; }
            return next();
          });
      }
      return next();
    });
  }

  function uploadOne(form, file, token, progress) {
    var threshold = parseInt(form.getAttribute("data-threshold"), 10) || 0;
    if (threshold && file.size > threshold) {
      return uploadChunked(form, file, token, progress);
    }
    var fd = new FormData();
    fd.append("files", file, file.name);
    return send("POST", form.action, fd, token, progress);
  }

  function uploadAll(form, files) {
    var token = $("input[name=csrf]", form).value;
    var box = $("[data-progress]", form);
    var bar = $("progress", box);
    var text = $("[data-progress-text]", box);
    var total = 0, done = 0;
    files.forEach(function (f) { total += f.size; });
    box.hidden = false;
    var chain = Promise.resolve();
    files.forEach(function (f) {
      chain = chain.then(function () {
        text.textContent = f.name;
        return uploadOne(form, f, token, function (n) {
          var pct = total ? Math.floor(100 * (done + n) / total) : 100;
          bar.value = Math.min(pct, 100);
        }).then(function () { done += f.size; });
      });
    });
    chain.then(function () {
      bar.value = 100;
      text.textContent = "Done";
      location.reload();
    }, function (err) {
      showError(err.message);
      text.textContent = "Stopped";
    });
  }

  function initUpload() {
    var form = $("[data-upload]");
    if (!form) { return; }
    var input = $("input[type=file]", form);
    form.classList.add("is-enhanced"); // choosing files uploads them at once
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var files = Array.prototype.slice.call(input.files || []);
      if (files.length) { uploadAll(form, files); }
    });
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (files.length) { uploadAll(form, files); }
    });
    var drop = $("[data-drop]", form);
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function () { drop.classList.remove("is-over"); });
    });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault();
      var files = Array.prototype.slice.call((ev.dataTransfer && ev.dataTransfer.files) || []);
      if (files.length) { uploadAll(form, files); }
    });
  }

  function initScope() {
    var sel = $("[data-scope-select]");
    if (!sel) { return; }
    sel.addEventListener("change", function () { location.href = sel.value; });
  }

  function initDelete() {
    var form = $("form[data-fm-action=delete]");
    if (form) { var b = $("button[type=submit]", form); if (b) { b.focus(); } }
  }

  initUpload();
  initScope();
  initDelete();
}());
