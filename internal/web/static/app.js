// ftpanel panel: small progressive enhancements. Every page works without
// this file; it adds copy buttons, the delete dialogs, the folder picker,
// the password toggles and the live refresh of the connections table.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function canDialog(d) { return d && typeof d.showModal === "function"; }

  // Copy buttons: data-copy names the element whose text is copied.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function initCopy() {
    $all("[data-copy]").forEach(function (btn) {
      var target = document.getElementById(btn.getAttribute("data-copy"));
      if (!target) { return; }
      btn.hidden = false;
      var row = btn.closest("div");
      var term = row ? $("dt", row) : null;
      btn.setAttribute("aria-label", "Copy " + (term ? term.textContent.toLowerCase() : "value"));
      btn.addEventListener("click", function () {
        copyText(target.textContent.trim()).then(function () {
          btn.textContent = "Copied";
          btn.classList.add("is-done");
        }, function () {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          btn.textContent = "Press Ctrl+C";
        });
        setTimeout(function () { btn.textContent = "Copy"; btn.classList.remove("is-done"); }, 2000);
      });
    });
  }

  // Dialog close buttons.
  function initDialogs() {
    $all("[data-dialog-close]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var d = btn.closest("dialog");
        if (d) { d.close(); }
      });
    });
  }

  // Delete links open a confirmation dialog; without it they lead to the
  // confirmation page.
  function initDelete() {
    var dialog = $("#delete-dialog");
    if (!canDialog(dialog)) { return; }
    var form = $("[data-delete-form]", dialog);
    $all("a[data-delete]").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        form.setAttribute("action", link.getAttribute("href"));
        $("[data-slot=login]", dialog).textContent = link.getAttribute("data-delete");
        $("[data-slot=site]", dialog).textContent = link.getAttribute("data-site") || "";
        form.elements.back.value = location.pathname + location.search;
        if (/\/edit$/.test(location.pathname)) { form.elements.back.value = "/accounts"; }
        dialog.showModal();
        var cancel = $("[data-dialog-close]", dialog);
        if (cancel) { cancel.focus(); }
      });
    });
  }

  // Confirm links: a link with data-confirm-dialog opens that dialog,
  // whose form then posts to the link's address (the confirmation page
  // the link leads to without JavaScript); each [data-slot=NAME] in the
  // dialog shows the link's data-NAME.
  function initConfirmDialogs() {
    $all("a[data-confirm-dialog]").forEach(function (link) {
      var dialog = document.getElementById(link.getAttribute("data-confirm-dialog"));
      if (!canDialog(dialog)) { return; }
      var form = $("form", dialog);
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        form.setAttribute("action", link.getAttribute("href"));
        $all("[data-slot]", dialog).forEach(function (el) {
          el.textContent = link.getAttribute("data-" + el.getAttribute("data-slot")) || "";
        });
        dialog.showModal();
        var cancel = $("[data-dialog-close]", dialog);
        if (cancel) { cancel.focus(); }
      });
    });
  }

  // Folder picker: a dialog listing the site's folders fills the input.
  function initFolderPicker() {
    var dialog = $("#folder-dialog");
    if (!canDialog(dialog)) { return; }
    var input = null;
    $all("[data-folder-picker]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        input = document.getElementById(btn.getAttribute("data-folder-picker"));
        dialog.showModal();
        var current = input && $all("[data-folder]", dialog).filter(function (b) { return b.getAttribute("data-folder") === input.value; })[0];
        (current || $("[data-folder]", dialog) || $("[data-dialog-close]", dialog)).focus();
      });
    });
    $all("[data-folder]", dialog).forEach(function (b) {
      b.addEventListener("click", function () {
        if (input) {
          input.value = b.getAttribute("data-folder");
          input.dispatchEvent(new Event("change", { bubbles: true }));
          dialog.close();
          input.focus();
        }
      });
    });
  }

  // Password fields: show/hide, and "generate" disables the field.
  function initPasswords() {
    $all("[data-toggle-password]").forEach(function (btn) {
      var input = document.getElementById(btn.getAttribute("data-toggle-password"));
      if (!input) { return; }
      btn.hidden = false;
      btn.setAttribute("aria-pressed", "false");
      btn.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        btn.textContent = show ? "Hide" : "Show";
        btn.setAttribute("aria-pressed", show ? "true" : "false");
      });
    });
    $all("[data-generate]").forEach(function (box) {
      var input = document.getElementById(box.getAttribute("data-generate"));
      if (!input) { return; }
      var sync = function () { input.disabled = box.checked; };
      box.addEventListener("change", sync);
      sync();
    });
  }

  // Live refresh: elements with data-poll reload their content from the
  // URL every few seconds while the page is visible.
  function initPolling() {
    $all("[data-poll]").forEach(function (el) {
      var url = el.getAttribute("data-poll");
      var every = parseInt(el.getAttribute("data-poll-interval"), 10) || 5000;
      var busy = false, stopped = false;
      var tick = function () {
        if (busy || stopped || document.hidden) { return; }
        if (el.contains(document.activeElement) && document.activeElement !== document.body) { return; }
        busy = true;
        fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }).then(function (res) {
          if (res.status === 401 || res.status === 403) { stopped = true; return null; }
          return res.ok ? res.text() : null;
        }).then(function (html) {
          if (html !== null && html !== undefined) {
            el.innerHTML = html;
            var n = $all("tr[data-session]", el).length;
            var badge = $("[data-count=connections]");
            if (badge) {
              badge.textContent = String(n);
              badge.classList.toggle("count-live", n > 0);
            }
          }
        }).catch(function () { /* try again next time */ }).then(function () { busy = false; });
      };
      setInterval(tick, every);
      document.addEventListener("visibilitychange", tick);
    });
  }

  // Error summary: after a failed submit it takes focus and comes into
  // view; its links move focus to the field concerned.
  function initErrorSummary() {
    var box = $("[data-error-summary]");
    if (!box) { return; }
    box.scrollIntoView({ block: "start" });
    box.focus({ preventScroll: true });
    $all("a[data-focus]", box).forEach(function (a) {
      a.addEventListener("click", function (ev) {
        var field = document.getElementById(a.getAttribute("data-focus"));
        if (!field) { return; }
        ev.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      });
    });
  }

  // Typed confirmation: a submit button with data-confirm-input stays
  // disabled until the input holds the expected text.
  function initConfirm() {
    $all("[data-confirm-input]").forEach(function (btn) {
      var input = document.getElementById(btn.getAttribute("data-confirm-input"));
      if (!input) { return; }
      var want = btn.getAttribute("data-confirm-value");
      var sync = function () { btn.disabled = input.value.trim() !== want; };
      input.addEventListener("input", sync);
      sync();
    });
  }

  function init() {
    document.documentElement.classList.add("js");
    initCopy();
    initDialogs();
    initDelete();
    initConfirmDialogs();
    initFolderPicker();
    initPasswords();
    initPolling();
    initConfirm();
    initErrorSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
