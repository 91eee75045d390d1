/* Écoute live updates: the inbox and a conversation re-read themselves when something changes in
   the workspace (new mentions, a colleague's action), without a reload.

   The page's desk names its stream (data-live-url); the parts to refresh are marked
   data-live-region="name". On an event the page fetches its own address again and swaps each
   region for the fresh one, keeping the scroll position, the ticked rows and whatever has focus
   (a region being typed in is left alone). The browser reconnects by itself; after a reconnect
   the server says "resync" and the page re-reads once. */
(function () {
  "use strict";

  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  function start(desk) {
    const conversation = desk.dataset.conversation || null;
    let busy = false;
    let again = false;
    let fresh = 0;

    function concerns(event) {
      if (!conversation || event.kind !== "changed" || event.conversation === null) return true;
      return String(event.conversation) === conversation;
    }

    function anchor() {
      const rows = $$("[data-live-region] [data-id]");
      const first = rows.find((row) => row.getBoundingClientRect().bottom > 0);
      return first && window.scrollY > 0 ? { id: first.dataset.id, top: first.getBoundingClientRect().top } : null;
    }

    function swap(fetched) {
      const ticked = new Set($$('[data-live-region] input[name="ids"]:checked').map((box) => box.value));
      const keep = anchor();
      const swapped = [];
      $$("[data-live-region]").forEach((region) => {
        const name = region.dataset.liveRegion;
        const next = fetched.querySelector('[data-live-region="' + name + '"]');
        if (!next || region.contains(document.activeElement)) return;
        region.replaceChildren(...Array.from(next.childNodes).map((node) => document.adoptNode(node)));
        swapped.push(name);
      });
      $$('[data-live-region] input[name="ids"]').forEach((box) => { box.checked = ticked.has(box.value); });
      if (keep) {
        const row = $$("[data-live-region] [data-id]").find((r) => r.dataset.id === keep.id);
        if (row) window.scrollBy(0, row.getBoundingClientRect().top - keep.top);
      }
      desk.dispatchEvent(new CustomEvent("ecoute:live-refreshed", { detail: { regions: swapped } }));
    }

    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      try {
        const response = await fetch(location.href, { headers: { accept: "text/html" }, credentials: "same-origin" });
        if (response.ok) swap(new DOMParser().parseFromString(await response.text(), "text/html"));
      } catch (error) { /* offline for a moment: the next event or reconnect reads again */ }
      busy = false;
      if (again) { again = false; refresh(); }
    }

    function notice(event) {
      const box = desk.querySelector("[data-live-notice]");
      if (!box) return;
      let text = desk.dataset.liveUpdated || "";
      if (event.kind === "mentions") {
        fresh += event.count || 0;
        text = fresh === 1 ? desk.dataset.liveOne : (desk.dataset.liveMany || "").replace("{n}", fresh);
      }
      if (!text) return;
      box.textContent = text;
      box.hidden = false;
    }

    const noticeBox = desk.querySelector("[data-live-notice]");
    if (noticeBox) {
      noticeBox.addEventListener("click", () => {
        noticeBox.hidden = true;
        fresh = 0;
        window.scrollTo({ top: 0 });
      });
    }

    const source = new EventSource(desk.dataset.liveUrl);
    source.addEventListener("ready", () => { desk.dataset.live = "on"; });
    source.addEventListener("live", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (!concerns(event)) return;
      if (event.kind !== "resync") notice(event);
      refresh();
    });
    source.addEventListener("error", () => { desk.dataset.live = "reconnecting"; });
    window.addEventListener("pagehide", () => source.close());
  }

  document.addEventListener("DOMContentLoaded", () => {
    const desk = document.querySelector("[data-live-url]");
    if (desk && window.EventSource) start(desk);
  });
})();
