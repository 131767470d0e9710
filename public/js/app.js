// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
})();
