// Keyboard access to boxes that scroll sideways. Material makes its own code
// blocks focusable; the cells mkdocs-jupyter renders and the wide tables the
// build puts under fences (.pagerun-html) are not, so a keyboard user cannot
// scroll them (axe: scrollable-region-focusable).
(() => {
  const scrollable =
    ".jupyter-wrapper .highlight-ipynb, .jupyter-wrapper pre, .md-content pre, .pagerun-html";
  const focusable = "a[href], button, input, select, textarea, [tabindex]";
  const fix = () => {
    for (const el of document.querySelectorAll(scrollable)) {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex") && !el.querySelector(focusable)) {
        el.setAttribute("tabindex", "0");
      }
    }
  };
  if (window.document$) {
    window.document$.subscribe(fix);
  } else {
    document.addEventListener("DOMContentLoaded", fix);
  }
})();
