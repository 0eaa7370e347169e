// "Back to the previous page" links on error pages: go back in history when there is one
// (the link's own href, the home page, is the fallback).
(function () {
  'use strict';
  document.querySelectorAll('a[data-kembali]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
})();
