// The reply composer: loads into its slot, fills the text from a draft or a saved reply, counts
// characters against the platform's limit, shows the variety score, and submits with an
// Idempotency-Key so that a double click or a retry never posts twice.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function post(url, form, body, key) {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf };
    if (key) headers["Idempotency-Key"] = key;
    return fetch(url, { method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin" });
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function setup(form) {
    const text = form.querySelector("[data-reply-text]");
    const counter = form.querySelector("[data-counter]");
    const variety = form.querySelector("[data-variety]");
    const warning = form.querySelector("[data-warning]");
    const result = form.querySelector("[data-result]");
    const send = form.querySelector("[data-send]");
    const limit = parseInt(form.dataset.limit, 10);
    const confirm = { collision: false, similar: false };

    function count() {
      const n = text.value.trim().length;
      counter.textContent = n + " / " + limit;
      counter.classList.toggle("over", n > limit);
      if (send) send.disabled = n === 0 || n > limit;
    }

    const check = debounce(function () {
      if (!text.value.trim()) { variety.textContent = ""; return; }
      post(form.dataset.check, form, { text: text.value }).then(function (r) { return r.json(); }).then(function (data) {
        variety.textContent = form.dataset.tScore.replace("{score}", data.score);
        variety.classList.toggle("low", data.warning);
      });
    }, 300);

    function edited() { confirm.similar = false; warning.hidden = true; count(); check(); }

    form.querySelectorAll("[data-draft]").forEach(function (card) {
      card.addEventListener("click", function () {
        form.querySelectorAll("[data-draft]").forEach(function (c) { c.setAttribute("aria-pressed", "false"); });
        card.setAttribute("aria-pressed", "true");
        text.value = card.dataset.draft;
        edited();
        text.focus();
      });
    });
    const snippet = form.querySelector("[data-snippet]");
    if (snippet) snippet.addEventListener("change", function () {
      if (!snippet.value) return;
      const start = text.selectionStart || text.value.length;
      text.value = text.value.slice(0, start) + snippet.value + text.value.slice(text.selectionEnd || start);
      snippet.value = "";
      edited();
    });
    text.addEventListener("input", edited);

    function warn(message, quotes) {
      warning.replaceChildren(el("p", "", message));
      quotes.forEach(function (q) { warning.appendChild(el("blockquote", "", q)); });
      warning.hidden = false;
      if (send) send.textContent = form.dataset.tConfirm;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (send) send.disabled = true;
      const body = {
        text: text.value,
        in_reply_to_id: parseInt(form.dataset.inReplyTo, 10),
        then_status: form.querySelector("[data-then]").value,
        seen_reply_id: parseInt(form.dataset.seen, 10),
        confirm_collision: confirm.collision,
        confirm_similar: confirm.similar,
      };
      post(form.action, form, body, form.dataset.submission).then(function (r) {
        return r.json().then(function (data) { return { status: r.status, data: data }; });
      }).then(function (answer) {
        if (send) send.disabled = false;
        if (answer.status === 409) {
          const d = answer.data.detail;
          confirm[d.reason] = true;
          if (d.reason === "collision") warn(form.dataset.tCollision, d.replies.map(function (r) { return r.text; }));
          else warn(form.dataset.tSimilar, [d.nearest_text]);
          return;
        }
        if (answer.status >= 400) {
          result.textContent = form.dataset.tFailed + " " + (typeof answer.data.detail === "string" ? answer.data.detail : "");
          return;
        }
        done(answer.data);
      });
    });

    function done(reply) {
      form.classList.add("done");
      warning.hidden = true;
      result.replaceChildren(el("span", "", form.dataset["t" + reply.status.charAt(0).toUpperCase() + reply.status.slice(1)] || reply.status));
      if (reply.status === "recorded" && /^https?:\/\//i.test(reply.url || "")) {
        const link = el("a", "btn", form.dataset.tOpen);
        link.href = reply.url; link.target = "_blank"; link.rel = "noopener";
        result.appendChild(link);
      }
      if (send) send.hidden = true;
      text.readOnly = true;
    }
    count();
  }

  function load(slot) {
    fetch(slot.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      slot.innerHTML = html;
      const form = slot.querySelector("[data-reply-form]");
      if (form) setup(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-reply-composer]").forEach(load);
  });
})();
