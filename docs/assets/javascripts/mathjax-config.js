// MathJax 3, served from this site (docs/assets/vendor/mathjax): no CDN.
//
// Where the maths is: chapters mark each formula with .arithmatex (written as
// \(...\) and \[...\]); a notebook page keeps its markdown cells' $...$ and
// $$...$$ (what Jupyter and Colab typeset) in .jp-MarkdownOutput. MathJax
// typesets inside these elements only, so a dollar sign anywhere else is text.
// (Its ignoreHtmlClass/processHtmlClass options cannot say this: an element
// inside a processed one is ignored again when its class matches, and a
// pattern that ignores every other class matches the empty class of a <p>.)
const mathsIn = [".arithmatex", ".jp-MarkdownOutput"];

// MathJax is 257 KB (gzip) of script, and half the pages have no maths: it is
// loaded by the first page view that has some, and then kept, since Material's
// instant navigation swaps the page's content, not the scripts.
const mathJaxSrc = new URL("../vendor/mathjax/tex-chtml.js", document.currentScript.src).href;
let mathJaxRequested = false;

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  // Once loaded, MathJax typesets these elements of the page then shown.
  startup: { elements: mathsIn },
};

function typesetThisPage() {
  if (!document.querySelector(mathsIn.join(", "))) return;
  if (window.MathJax.typesetPromise) {
    // A later page view: forget the last page's formulas, typeset this one's.
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise(mathsIn);
  } else if (!mathJaxRequested) {
    mathJaxRequested = true;
    const script = document.createElement("script");
    script.src = mathJaxSrc;
    script.async = true;
    document.head.appendChild(script);
  }
}

// Every page view, the first and each of Material's instant navigations.
if (window.document$) {
  window.document$.subscribe(typesetThisPage);
} else {
  document.addEventListener("DOMContentLoaded", typesetThisPage);
}
