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

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  startup: {
    elements: mathsIn,
    // Typeset on every page view, including Material's instant navigation.
    pageReady: () => {
      if (window.document$) {
        window.document$.subscribe(() => {
          MathJax.startup.output.clearCache();
          MathJax.typesetClear();
          MathJax.texReset();
          return MathJax.typesetPromise(mathsIn);
        });
        return Promise.resolve();
      }
      return MathJax.startup.defaultPageReady();
    },
  },
};
