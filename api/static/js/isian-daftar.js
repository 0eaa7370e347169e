// Task forms: rows of a list (names, attendees) added and removed, and Rupiah amounts shown
// with thousands separators. Without script the page still works: it offers empty rows, and
// the server reads "Rp 1.250.000" as typed. Loaded as a file (the CSP forbids inline script).
(function () {
  'use strict';

  function renumber(list) {
    list.querySelectorAll('[data-baris]').forEach(function (row, index) {
      row.querySelectorAll('input').forEach(function (input) {
        var label = input.getAttribute('aria-label') || '';
        input.setAttribute('aria-label', label.replace(/baris \d+$/, 'baris ' + (index + 1)));
      });
    });
  }

  function setUp(fieldset) {
    var list = fieldset.querySelector('.baris-daftar');
    var add = fieldset.querySelector('[data-tambah-baris]');
    var most = parseInt(fieldset.getAttribute('data-paling-banyak') || '0', 10);
    var rows = list.querySelectorAll('[data-baris]');
    // keep one empty row for typing; the server drops empty rows anyway
    for (var i = rows.length - 1; i > 0; i -= 1) {
      var empty = Array.prototype.every.call(rows[i].querySelectorAll('input'),
        function (input) { return !input.value.trim(); });
      var previousEmpty = Array.prototype.every.call(rows[i - 1].querySelectorAll('input'),
        function (input) { return !input.value.trim(); });
      if (empty && previousEmpty) { rows[i].remove(); }
    }
    var template = list.querySelector('[data-baris]').cloneNode(true);
    template.querySelectorAll('input').forEach(function (input) { input.value = ''; });
    fieldset.querySelectorAll('[data-hapus-baris]').forEach(function (b) { b.hidden = false; });
    add.hidden = false;
    add.addEventListener('click', function () {
      if (most && list.querySelectorAll('[data-baris]').length >= most) { return; }
      var row = template.cloneNode(true);
      list.appendChild(row);
      renumber(list);
      row.querySelector('input').focus();
    });
    list.addEventListener('click', function (event) {
      var button = event.target.closest('[data-hapus-baris]');
      if (!button) { return; }
      var row = button.closest('[data-baris]');
      if (list.querySelectorAll('[data-baris]').length > 1) {
        row.remove();
      } else {
        row.querySelectorAll('input').forEach(function (input) { input.value = ''; });
      }
      renumber(list);
      add.focus();
    });
  }

  function rupiah(input) {
    // only what reads as whole Rupiah is reformatted; anything else is left for the server
    if (!/^\s*(rp\.?)?\s*[0-9.\s]+(,0{1,2})?\s*$/i.test(input.value)) { return; }
    var digits = input.value.replace(/,0{1,2}\s*$/, '').replace(/[^0-9]/g, '');
    if (!digits) { return; }
    input.value = 'Rp ' + digits.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  document.querySelectorAll('[data-daftar]').forEach(setUp);
  document.querySelectorAll('input[data-uang]').forEach(function (input) {
    input.addEventListener('blur', function () { rupiah(input); });
    rupiah(input);
  });
})();
