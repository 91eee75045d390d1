/* Écoute desk: keyboard shortcuts, bulk selection, filters that apply themselves, and presence
   (who else is viewing or replying). Everything here is an enhancement: every action is a
   plain form that works without this script. */
"use strict";
document.documentElement.classList.add("js");

(function () {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const ICON = {
    eye: '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"/><circle cx="12" cy="12" r="3"/>',
    pen: '<path d="M12 20h9"/><path d="M16.5 3.5a2.121 2.121 0 0 1 3 3L7 19l-4 1 1-4L16.5 3.5z"/>',
  };

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function presenceMark(person, label, compact) {
    const sentence = (label || "{name}").replace("{name}", person.name);
    const mark = document.createElement("span");
    mark.className = "presence-mark " + person.state;
    mark.title = sentence;
    mark.innerHTML = '<svg class="ic" viewBox="0 0 24 24" aria-hidden="true">' +
      (person.state === "replying" ? ICON.pen : ICON.eye) + "</svg>";
    const text = document.createElement("span");
    text.textContent = compact ? person.name : sentence;
    mark.appendChild(text);
    return mark;
  }

  function openDialog(id) {
    const dialog = document.getElementById(id);
    if (dialog && !dialog.open) {
      dialog.showModal();
      const first = $("button:not([type=button]), input", dialog);
      if (first) first.focus();
    }
    return dialog;
  }

  function wireCommon() {
    $$("[data-autosubmit]").forEach((field) => {
      field.addEventListener("change", () => {
        // A menu of actions has an empty "choose…" entry; a filter's empty entry means "any".
        if (!field.form || (field.dataset.autosubmit === "action" && field.value === "")) return;
        field.form.requestSubmit();
      });
    });
    // Filters left on "any" stay out of the address, so a shared link says only what matters.
    $$("form[method=get]").forEach((form) => {
      form.addEventListener("submit", () => {
        $$("input, select", form).forEach((field) => { if (field.name && field.value === "") field.disabled = true; });
      });
    });
    $$("[data-open-dialog]").forEach((button) => {
      button.addEventListener("click", () => openDialog(button.dataset.openDialog));
    });
    $$("dialog").forEach((dialog) => {
      dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
      dialog.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
        const buttons = $$(".picker-list button", dialog);
        const at = buttons.indexOf(document.activeElement);
        if (at < 0) return;
        event.preventDefault();
        const next = (at + (event.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
        buttons[next].focus();
      });
    });
    const toast = $("[data-toast]");
    if (toast) {
      setTimeout(() => {
        if (toast.matches(":hover, :focus-within")) return;
        toast.classList.add("leaving");
        setTimeout(() => toast.remove(), 500);
      }, toast.querySelector("form") ? 9000 : 4500);
    }
  }

  /* ---- the inbox ---------------------------------------------------------------------------- */
  function wireInbox(desk) {
    let rows = $$(".row", desk);
    const bulk = $("#bulk");
    const key = "ecoute:current:" + location.pathname + location.search;
    let current = Number(sessionStorage.getItem(key) ?? -1);
    if (current >= rows.length) current = rows.length - 1;

    function show(index, scroll = true) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(index, rows.length - 1));
      rows.forEach((row, i) => row.classList.toggle("current", i === current));
      sessionStorage.setItem(key, String(current));
      if (scroll) rows[current].scrollIntoView({ block: "nearest" });
    }
    if (current >= 0) show(current, false);
    if (location.hash === "#search") $("#search").focus();

    const checks = () => $$('.row input[name="ids"]', desk);
    const chosen = () => checks().filter((box) => box.checked);
    function refreshSelection() {
      const n = chosen().length;
      const count = $("[data-bulk-count]");
      bulk.classList.toggle("has-selection", n > 0);
      count.textContent = n === 0 ? count.dataset.none : n === 1 ? count.dataset.one : count.dataset.many.replace("{n}", n);
      checks().forEach((box) => box.closest(".row").classList.toggle("checked", box.checked));
      const all = $("[data-select-all]");
      if (all) { all.checked = n > 0 && n === checks().length; all.indeterminate = n > 0 && n < checks().length; }
    }
    function wireRows() {
      checks().forEach((box) => box.addEventListener("change", refreshSelection));
      rows.forEach((row, index) => row.addEventListener("mousedown", () => { current = index; sessionStorage.setItem(key, String(index)); }));
    }
    wireRows();
    const all = $("[data-select-all]");
    if (all) all.addEventListener("change", () => { checks().forEach((box) => { box.checked = all.checked; }); refreshSelection(); });
    if (bulk) refreshSelection();

    function targets() {
      const ids = chosen().map((box) => box.value);
      if (ids.length) return ids;
      return current >= 0 && rows[current] ? [rows[current].dataset.id] : [];
    }
    function submitBulk(action) {
      const ids = targets();
      if (!ids.length || !bulk) return;
      if (!chosen().length) { const box = $('input[name="ids"]', rows[current]); if (box) box.checked = true; }
      const field = document.createElement("input");
      field.type = "hidden"; field.name = "action"; field.value = action;
      bulk.appendChild(field);
      bulk.submit();
    }
    function assign() {
      const ids = targets();
      const dialog = document.getElementById("assign-dialog");
      if (!ids.length || !dialog) return;
      const form = $("form", dialog);
      $$('input[name="ids"]', form).forEach((input) => input.remove());
      ids.forEach((id) => {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = "ids"; input.value = id;
        form.appendChild(input);
      });
      openDialog("assign-dialog");
    }
    function open(hash = "") {
      if (current < 0 || !rows[current]) return;
      location.href = $(".row-link", rows[current]).href + hash;
    }

    document.addEventListener("keydown", (event) => {
      if (event.metaKey || event.ctrlKey || event.altKey || document.querySelector("dialog[open]")) return;
      if (typing(event.target)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      const actions = {
        j: () => show(current + 1),
        k: () => show(current < 0 ? 0 : current - 1),
        o: () => open(),
        Enter: () => open(),
        r: () => open("#composer"),
        x: () => { if (current < 0) show(0); const box = $('input[name="ids"]', rows[current]); if (box) { box.checked = !box.checked; refreshSelection(); } },
        e: () => submitBulk("status:resolved"),
        a: () => assign(),
        "/": () => { const search = $("#search"); search.focus(); search.select(); },
        "?": () => openDialog("shortcuts"),
      };
      const action = actions[event.key];
      if (!action) return;
      if (event.key === "Enter" && event.target.closest("a, button")) return;
      event.preventDefault();
      action();
    });

    // The list was re-read (live.js): the same conversation stays current, wherever it moved.
    desk.addEventListener("ecoute:live-refreshed", () => {
      const currentId = current >= 0 && rows[current] ? rows[current].dataset.id : null;
      rows = $$(".row", desk);
      wireRows();
      const found = rows.findIndex((row) => row.dataset.id === currentId);
      current = found >= 0 ? found : Math.min(current, rows.length - 1);
      if (current >= 0) show(current, false);
      if (bulk) refreshSelection();
    });
    pollInboxPresence(desk, () => rows);
  }

  function pollInboxPresence(desk, listed) {
    const labels = { viewing: desk.dataset.viewing, replying: desk.dataset.replying };
    async function poll() {
      const ids = listed().map((row) => row.dataset.id).join(",");
      if (document.hidden || !ids) return;
      try {
        const response = await fetch("/w/" + desk.dataset.slug + "/presence?ids=" + ids, { headers: { accept: "application/json" } });
        if (!response.ok) return;
        const found = await response.json();
        $$("[data-presence-for]", desk).forEach((slot) => {
          slot.replaceChildren(...(found[slot.dataset.presenceFor] || []).map((p) => presenceMark(p, labels[p.state], true)));
        });
      } catch (error) { /* offline for a moment: try again at the next tick */ }
    }
    setInterval(poll, (Number(desk.dataset.every) || 10) * 1000);
    document.addEventListener("visibilitychange", poll);
  }

  /* ---- a conversation ----------------------------------------------------------------------- */
  // Where "r" writes: the reply box once it has loaded ([data-reply-text]), else the note box.
  const writingBox = () => $("[data-reply-text]") || $("[data-composer]");

  function wireConversation(desk) {
    const entries = $$("[data-entry]", desk);
    const composer = $("[data-composer]");
    let current = -1;
    function show(index) {
      if (!entries.length) return;
      current = Math.max(0, Math.min(index, entries.length - 1));
      entries.forEach((entry, i) => entry.classList.toggle("current", i === current));
      entries[current].scrollIntoView({ block: "center", behavior: "smooth" });
    }
    if (location.hash === "#composer") {
      if (composer) composer.focus();
      const slot = $("[data-reply-composer]");  // the reply box loads a moment later: move there then
      if (slot) {
        const watch = new MutationObserver(() => {
          const reply = $("[data-reply-text]", slot);
          if (!reply) return;
          watch.disconnect();
          if (!composer || !composer.value.trim()) { reply.focus(); reply.scrollIntoView({ block: "center" }); }
        });
        watch.observe(slot, { childList: true, subtree: true });
      }
    }

    document.addEventListener("keydown", (event) => {
      if (event.metaKey || event.ctrlKey || event.altKey || document.querySelector("dialog[open]")) return;
      if (typing(event.target)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      const click = (selector) => { const button = $(selector); if (button) button.click(); };
      const actions = {
        j: () => show(current + 1),
        k: () => show(current - 1),
        e: () => click("[data-resolve]"),
        a: () => openDialog("assign-dialog"),
        r: () => { const box = writingBox(); if (box) { box.focus(); box.scrollIntoView({ block: "center" }); } },
        u: () => { location.href = $("[data-back]").href; },
        "/": () => { location.href = $("[data-back]").href + "#search"; },
        "?": () => openDialog("shortcuts"),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    });
    heartbeat(desk);
  }

  function heartbeat(desk) {
    const url = desk.dataset.presenceUrl;
    const bar = $("[data-presence]", desk);
    const labels = { viewing: desk.dataset.viewing, replying: desk.dataset.replying };
    let every = 10000;
    let timer = null;
    let lastState = "viewing";
    // Replying: writing in any box of the conversation (the reply, or a note), or leaving text in one.
    const boxes = () => $$("textarea", desk);
    const state = () => boxes().some((box) => box === document.activeElement || box.value.trim()) ? "replying" : "viewing";

    async function beat() {
      clearTimeout(timer);
      if (document.hidden) return;
      lastState = state();
      const body = new URLSearchParams({ state: lastState, csrf_token: csrf() });
      try {
        const response = await fetch(url, { method: "POST", body, headers: { "X-CSRF-Token": csrf() } });
        if (response.ok) {
          const data = await response.json();
          every = (data.every || 10) * 1000;
          bar.replaceChildren(...data.others.map((p) => presenceMark(p, labels[p.state], false)));
        }
      } catch (error) { /* offline for a moment: the next beat tries again */ }
      timer = setTimeout(beat, every);
    }
    function changed() { if (state() !== lastState) beat(); }
    ["focusin", "focusout", "input"].forEach((type) => desk.addEventListener(type, (event) => {
      if (event.target.matches("textarea")) changed();
    }));
    document.addEventListener("visibilitychange", () => { if (!document.hidden) beat(); });
    window.addEventListener("pagehide", () => {
      const data = new FormData();
      data.append("state", "gone");
      data.append("csrf_token", csrf());
      navigator.sendBeacon(url, data);
    });
    beat();
  }

  document.addEventListener("DOMContentLoaded", () => {
    wireCommon();
    const inbox = $(".inbox-desk");
    if (inbox) wireInbox(inbox);
    const conversation = $(".conv-desk");
    if (conversation) wireConversation(conversation);
  });
})();
