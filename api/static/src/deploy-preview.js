// What "Terapkan" will change, in Indonesian, from the page's preview endpoint: elements added,
// removed and changed against the latest deployed version (or "version 1" for a new process).
import { translate } from './translate-id.js';

const FIELDS = {
  type: 'jenis', name: 'nama', sourceRef: 'asal alur', targetRef: 'tujuan alur',
  default: 'alur bawaan', condition: 'syarat',
  'properties.row': 'baris SOP (row)', 'properties.activity': 'aktivitas (activity)',
  'properties.requirements': 'kelengkapan (requirements)',
  'properties.duration': 'waktu (duration)', 'properties.output': 'output (output)',
  'properties.remarks': 'keterangan (remarks)', 'properties.durations': 'aturan waktu (durations)',
  'properties.form': 'formulir (form)',
};
const LONGEST = 160;

function el(tag, content, className) {
  const node = document.createElement(tag);
  if (content !== undefined) node.textContent = content;
  if (className) node.className = className;
  return node;
}

/** "userTask" -> "Tugas pengguna", through the modeler's dictionary. */
export function typeLabel(type) {
  const words = String(type || '').replace(/^./, (c) => c.toUpperCase())
    .replace(/(\B[A-Z])/g, ' $1');
  return translate(words);
}

function quoted(value) {
  if (value === undefined || value === null || value === '') return '(kosong)';
  const text = String(value).replace(/\s+/g, ' ');
  return `“${text.length > LONGEST ? `${text.slice(0, LONGEST)}…` : text}”`;
}

function formKeys(raw) {
  try {
    return JSON.parse(raw || '{}').properties || {};
  } catch (err) {
    return null;
  }
}

// A form's change as its fields: added, removed, changed (its JSON is not for reading).
function formChange(from, to) {
  const [old, now] = [formKeys(from), formKeys(to)];
  if (!old || !now) return `${quoted(from)} → ${quoted(to)}`;
  const parts = [];
  const added = Object.keys(now).filter((k) => !(k in old));
  const removed = Object.keys(old).filter((k) => !(k in now));
  const changed = Object.keys(now).filter((k) => k in old
    && JSON.stringify(old[k]) !== JSON.stringify(now[k]));
  if (added.length) parts.push(`isian ditambahkan: ${added.join(', ')}`);
  if (removed.length) parts.push(`isian dihapus: ${removed.join(', ')}`);
  if (changed.length) parts.push(`isian diubah: ${changed.join(', ')}`);
  return parts.join('; ') || 'urutan atau pengaturan formulir diubah';
}

function changeText(change) {
  const field = FIELDS[change.field] || (change.field.startsWith('properties.')
    ? `properti ${change.field.slice('properties.'.length)}` : change.field);
  if (change.field === 'properties.form') return `${field}: ${formChange(change.from, change.to)}`;
  if (change.field === 'type') {
    return `${field}: ${typeLabel(change.from)} → ${typeLabel(change.to)}`;
  }
  return `${field}: ${quoted(change.from)} → ${quoted(change.to)}`;
}

function elementText(element) {
  return `${typeLabel(element.type)} ${element.name ? quoted(element.name) : '(tanpa nama)'} `
    + `(${element.id})`;
}

function section(box, heading, items, render) {
  box.appendChild(el('h3', `${heading} (${items.length})`));
  if (!items.length) {
    box.appendChild(el('p', 'Tidak ada.'));
    return;
  }
  const list = el('ul');
  items.forEach((item) => list.appendChild(render(item)));
  box.appendChild(list);
}

function changedItem(element) {
  const item = el('li', elementText(element));
  const details = el('ul');
  element.changes.forEach((change) => details.appendChild(el('li', changeText(change))));
  item.appendChild(details);
  return item;
}

/** Fill the dialog's body; returns the text of its confirm button (null: nothing to deploy). */
export function renderPreview(box, preview) {
  box.replaceChildren();
  if (preview.new) {
    box.appendChild(el('p', `Proses ${preview.key} belum ada: menerapkan akan membuat versi 1.`));
    return 'Ya, buat versi 1';
  }
  if (preview.identical) {
    box.appendChild(el('p', `Tidak ada perubahan: model sama persis dengan versi ${preview.latest}`
      + ' yang berlaku, jadi tidak ada versi baru.'));
    return null;
  }
  const { added, removed, changed } = preview;
  box.appendChild(el('p', `Dibandingkan dengan versi ${preview.latest} yang berlaku; menerapkan `
    + `akan membuat versi ${preview.version}. Kasus yang sedang berjalan tetap memakai versinya.`));
  if (!added.length && !removed.length && !changed.length) {
    box.appendChild(el('p', 'Tidak ada elemen yang berubah: hanya tata letak diagram atau '
      + 'susunan berkasnya yang berbeda.'));
  }
  section(box, 'Elemen ditambahkan', added, (e) => el('li', elementText(e)));
  section(box, 'Elemen dihapus', removed, (e) => el('li', elementText(e)));
  section(box, 'Elemen diubah', changed, changedItem);
  return `Ya, terapkan versi ${preview.version}`;
}
