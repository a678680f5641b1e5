// Jobdeck's own JavaScript: keyboard shortcuts and the log panel. No inline scripts anywhere
// (the Content-Security-Policy allows only this site's files).
(function () {
  "use strict";
  // With scripts on, controls that submit themselves hide their button (.no-js).
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-submit-on-change]");
    if (select) select.form.requestSubmit();
  });

  function typing(event) {
    const t = event.target;
    return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  }

  function rows() {
    return Array.from(document.querySelectorAll("table[data-nav] tbody tr[data-href]"));
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    let i = all.findIndex((r) => r.classList.contains("current"));
    all.forEach((r) => r.classList.remove("current"));
    i = i < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, i + step));
    all[i].classList.add("current");
    all[i].scrollIntoView({ block: "nearest" });
    const link = all[i].querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const help = document.getElementById("shortcuts");
    switch (event.key) {
      case "/":
        event.preventDefault();
        document.getElementById("global-search")?.focus();
        break;
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
      case "Enter": {
        const row = document.querySelector("tr.current[data-href]");
        if (row) window.location.href = row.dataset.href;
        break;
      }
      case "u": history.back(); break;
      case "?":
        if (help && !help.open) help.showModal();
        break;
    }
  });

  // Log panel: wrap toggle and search with highlight (the text is already escaped by the
  // server; highlighting wraps matches found in text nodes, never parses HTML).
  function highlight(panel, needle) {
    panel.querySelectorAll("mark").forEach((m) => m.replaceWith(document.createTextNode(m.textContent)));
    panel.normalize();
    const count = panel.closest("[data-log]")?.querySelector("[data-log-count]");
    if (!needle) { if (count) count.textContent = ""; return; }
    const lower = needle.toLowerCase();
    let hits = 0;
    const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach((node) => {
      const text = node.textContent;
      let at = text.toLowerCase().indexOf(lower);
      if (at < 0) return;
      const frag = document.createDocumentFragment();
      let from = 0;
      while (at >= 0) {
        frag.append(text.slice(from, at));
        const mark = document.createElement("mark");
        mark.textContent = text.slice(at, at + needle.length);
        frag.append(mark);
        hits += 1;
        from = at + needle.length;
        at = text.toLowerCase().indexOf(lower, from);
      }
      frag.append(text.slice(from));
      node.replaceWith(frag);
    });
    if (count) count.textContent = hits + (hits === 1 ? " match" : " matches");
    panel.querySelector("mark")?.scrollIntoView({ block: "center" });
  }

  document.addEventListener("input", function (event) {
    const input = event.target.closest("[data-log-search]");
    if (!input) return;
    const box = input.closest("[data-log]");
    box.querySelectorAll(".log").forEach((panel) => highlight(panel, input.value));
  });

  document.addEventListener("change", function (event) {
    const toggle = event.target.closest("[data-log-wrap]");
    if (!toggle) return;
    toggle.closest("[data-log]").querySelectorAll(".log").forEach((p) => p.classList.toggle("wrap", toggle.checked));
  });
})();
