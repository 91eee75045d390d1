/* Écoute: first-response timers that count down live. The server renders each timer right (this
   script only keeps it right while the page stays open): the business seconds left at render
   time, the margin that makes it "due soon", and — once per page — the business stretch running
   now or next, in seconds from render time. Business time only runs inside that stretch, so the
   timers stand still outside it; a reload computes everything afresh. */
"use strict";

(function () {
  function start() {
    const clock = document.querySelector("[data-kt-clock]");
    const timers = Array.from(document.querySelectorAll("[data-deadline]"));
    if (!clock || !timers.length) return;
    const words = clock.dataset;
    const openFrom = Number(words.openFrom);
    const openUntil = Number(words.openUntil);
    const loaded = Date.now();
    const number = new Intl.NumberFormat(words.locale || undefined);
    const fill = (pattern, values) => pattern.replace(/\{(\w+)\}/g, (_, name) => values[name]);

    // Business seconds that ran between render time and `elapsed` seconds later.
    const business = (elapsed) => Math.max(0, Math.min(elapsed, openUntil) - Math.max(0, openFrom));
    const running = (elapsed) => openFrom <= elapsed && elapsed < openUntil;

    function duration(seconds) {
      const minutes = Math.max(1, Math.ceil(Math.abs(seconds) / 60));
      if (minutes < 60) return fill(words.minutes, { n: number.format(minutes) });
      const hours = Math.floor(minutes / 60);
      const rest = minutes % 60;
      if (rest === 0) return fill(words.hours, { h: number.format(hours) });
      return fill(words.hoursMinutes, { h: number.format(hours), m: String(rest).padStart(2, "0") });
    }

    function state(left, soon) {
      if (left <= 0) return "breached";
      return left <= soon ? "due_soon" : "ok";
    }

    function tick() {
      const elapsed = (Date.now() - loaded) / 1000;
      const ran = business(elapsed);
      const paused = !running(elapsed);
      timers.forEach((timer) => {
        const left = Number(timer.dataset.remaining) - ran;
        const now = state(left, Number(timer.dataset.soon));
        const text = fill(left > 0 ? words.left : words.overdue, { time: duration(left) });
        const shown = timer.querySelector("[data-deadline-left]");
        if (shown.textContent !== text) shown.textContent = text;
        const label = timer.querySelector("[data-deadline-state]");
        if (label) label.textContent = words[now] + " · ";
        ["ok", "due_soon", "breached"].forEach((name) => timer.classList.toggle("k-" + name, name === now));
        timer.classList.toggle("paused", paused);
        const row = timer.closest(".row");
        if (row) ["ok", "due_soon", "breached"].forEach((name) => row.classList.toggle("deadline-" + name, name === now));
      });
    }
    tick();
    setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
