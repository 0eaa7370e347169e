// Draw a case's BPMN with bpmn-js NavigatedViewer and mark the path: done steps, the steps
// waiting now, and (on the audit page) the element of the chosen event.
(function () {
  'use strict';
  var holder = document.getElementById('diagram');
  var source = document.getElementById('diagram-data');
  if (!holder || !source || !window.BpmnJS) { return; }
  var data = JSON.parse(source.textContent);
  var viewer = new window.BpmnJS({ container: holder });
  window.alurViewer = viewer;

  function mark(canvas, registry, ids, cls) {
    (ids || []).forEach(function (id) {
      if (id && registry.get(id)) { canvas.addMarker(id, cls); }
    });
  }

  viewer.importXML(data.bpmn).then(function () {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    mark(canvas, registry, data.done, 'alur-selesai');
    mark(canvas, registry, data.current, 'alur-kini');
    mark(canvas, registry, data.last ? [data.last] : [], 'alur-terakhir');
    canvas.zoom('fit-viewport');
    holder.dataset.ready = 'true';
  }).catch(function (err) {
    holder.textContent = 'Diagram tidak dapat ditampilkan: ' + err.message;
    holder.dataset.ready = 'error';
  });
})();
