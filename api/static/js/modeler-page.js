// Open the process modeler on its page: the XML, the CSRF token and the URLs come from the
// page's JSON block (no inline script: the Content-Security-Policy allows none).
(function () {
  'use strict';
  var source = document.getElementById('modeler-data');
  if (!source || !window.AlurModeler) { return; }
  var data = JSON.parse(source.textContent);
  window.AlurModeler.open({
    container: '#kanvas', panel: '#panel', result: document.getElementById('hasil'),
    xml: data.bpmn,
    csrfToken: data.csrfToken,
    validateUrl: data.validateUrl,
    previewUrl: data.previewUrl,
    deployUrl: data.deployUrl,
    validateButton: document.getElementById('periksa'),
    deployButton: document.getElementById('terapkan'),
    dialog: document.getElementById('pratinjau'),
    deployedLink: data.deployedLink,
  });
})();
