// MathJax 3, served from this site (docs/assets/vendor/mathjax): no CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Chapters mark maths with .arithmatex; notebook pages keep raw $...$ in .jp-MarkdownOutput.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-MarkdownOutput",
  },
  startup: {
    // Typeset on every page view, including Material's instant navigation.
    pageReady: () => {
      if (window.document$) {
        window.document$.subscribe(() => {
          MathJax.startup.output.clearCache();
          MathJax.typesetClear();
          MathJax.texReset();
          return MathJax.typesetPromise();
        });
        return Promise.resolve();
      }
      return MathJax.startup.defaultPageReady();
    },
  },
};
