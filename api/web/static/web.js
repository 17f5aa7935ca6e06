// aidgraph web app: the search box's suggestions, auto-submitting selects, the timeline's tooltip,
// the article page's marked passages.
// Plain JavaScript, no library; every page works without it (forms and links).
"use strict";

(function searchSuggestions() {
  const input = document.getElementById("search-box");
  const list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  let items = [], active = -1, timer = null, asked = "";

  function close() {
    list.hidden = true; list.replaceChildren(); items = []; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    items.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    else input.removeAttribute("aria-activedescendant");
  }
  function show(hits) {
    list.replaceChildren();
    items = hits.filter((hit) => hit.href).map((hit, i) => {
      const li = document.createElement("li");
      li.id = "suggestion-" + i; li.setAttribute("role", "option"); li.dataset.href = hit.href;
      const label = document.createElement("span"); label.textContent = hit.label;
      const kind = document.createElement("span"); kind.className = "kind";
      kind.textContent = hit.kind_name + (hit.matched !== hit.label ? " · " + hit.matched : "");
      if (hit.lang) kind.lang = hit.lang;
      li.append(label, kind);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); window.location.href = hit.href; });
      list.appendChild(li);
      return li;
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    active = -1;
  }
  async function ask() {
    const text = input.value.trim();
    if (text.length < 2) { close(); return; }
    asked = text;
    try {
      const response = await fetch("/web/suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } });
      if (!response.ok || asked !== text) return;
      show(await response.json());
    } catch (error) { close(); }
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 120); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && items.length) { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location.href = items[active].dataset.href; }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();

document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

(function timelineTooltip() {
  const section = document.querySelector(".timeline");
  if (!section) return;
  const tip = section.querySelector(".tooltip");
  function show(dot) {
    const box = dot.getBoundingClientRect(), frame = section.getBoundingClientRect();
    tip.textContent = dot.getAttribute("aria-label");
    tip.hidden = false;
    tip.style.left = Math.max(0, box.left - frame.left - 40) + "px";
    tip.style.top = (box.bottom - frame.top + 6) + "px";
  }
  section.querySelectorAll("a.dot").forEach((dot) => {
    dot.addEventListener("mouseenter", () => show(dot));
    dot.addEventListener("focus", () => show(dot));
    dot.addEventListener("mouseleave", () => { tip.hidden = true; });
    dot.addEventListener("blur", () => { tip.hidden = true; });
  });
})();

(function lazyFacets() {
  // The explorer's filter counts, when they were not ready: asked for after the table is shown.
  const holder = document.querySelector("#facet-lists[data-src]");
  if (!holder) return;
  const url = holder.dataset.src + (holder.dataset.src.includes("?") ? "&" : "?") + "fragment=1";
  fetch(url, { headers: { Accept: "text/html" } })
    .then((response) => response.text())
    .then((text) => {
      const box = document.createElement("div");
      box.innerHTML = text;
      const lists = box.querySelector("#facet-lists");
      if (!lists) return;
      holder.replaceWith(lists);
      const total = document.querySelector("[data-role=total]");
      if (total && lists.dataset.total !== "") total.textContent = lists.dataset.total;
    })
    .catch(() => { holder.querySelector("p").textContent = "The counts are not available right now."; });
})();

(function articleEvidence() {
  // the article page: Enter on (or a click on) a marked passage goes to its facts in the list below
  const text = document.getElementById("article-text");
  if (!text) return;
  function go(event) {
    const mark = event.target.closest("mark.evidence");
    if (!mark || !text.contains(mark)) return;
    if (event.type === "keydown" && event.key !== "Enter") return;
    if (event.type === "click" && String(window.getSelection()).length) return;  // selecting text
    event.preventDefault();
    window.location.hash = "facts-" + mark.dataset.evidence;
  }
  text.addEventListener("click", go);
  text.addEventListener("keydown", go);
})();
