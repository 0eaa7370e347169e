// The process owners' modeler: bpmn-js Modeler with the properties panel, the spiffworkflow
// moddle extension (so spiffworkflow:properties survive save), the form editor and Bahasa
// Indonesia everywhere. Validation, the deploy preview and deployment go to the page endpoints
// (session cookie + CSRF token); the engine's English messages are shown in Indonesian.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import spiffDescriptor from './spiffworkflow.json';
import SpiffPropertiesModule from './spiff-properties.js';
import TranslateModule from './translate-id.js';
import { engineMessage } from './engine-messages-id.js';
import { renderPreview } from './deploy-preview.js';

function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}

function showResult(box, title, errors, warnings, ok) {
  box.replaceChildren();
  box.className = `hasil ${ok ? 'hasil-ok' : 'hasil-galat'}`;
  box.appendChild(text('p', title, 'hasil-judul'));
  const translated = (errors || []).map(engineMessage);
  for (const [heading, items] of [['Galat', translated], ['Peringatan kesesuaian katalog', warnings]]) {
    if (!items || !items.length) continue;
    box.appendChild(text('h3', `${heading} (${items.length})`));
    const list = document.createElement('ul');
    items.forEach((item) => list.appendChild(text('li', item)));
    box.appendChild(list);
  }
  box.focus();
}

async function post(url, token, xml) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
    body: JSON.stringify({ bpmn: xml }),
  });
  let body = {};
  try { body = await response.json(); } catch (err) { body = { detail: response.statusText }; }
  return { status: response.status, body };
}

async function validate(modeler, opts, box) {
  const { xml } = await modeler.saveXML({ format: true });
  const { status, body } = await post(opts.validateUrl, opts.csrfToken, xml);
  if (status !== 200) {
    showResult(box, body.detail || `Gagal memeriksa (${status})`, body.errors || [], [], false);
    return;
  }
  const title = body.valid ? 'Model sah dan dapat diterapkan.' : 'Model belum dapat diterapkan.';
  showResult(box, title, body.errors, body.warnings, body.valid);
}

async function deploy(xml, opts, box) {
  const { status, body } = await post(opts.deployUrl, opts.csrfToken, xml);
  if (status === 200 || status === 201) {
    const title = body.created ? `Versi ${body.version} diterapkan.`
      : `Tidak ada perubahan: versi ${body.version} tetap berlaku.`;
    showResult(box, title, [], body.warnings || [], true);
    if (opts.deployedLink) {
      const link = text('a', opts.deployedLink.text);
      link.href = opts.deployedLink.href;
      const line = document.createElement('p');
      line.appendChild(link);
      box.appendChild(line);
    }
    return;
  }
  showResult(box, body.detail || `Gagal menerapkan (${status})`, body.errors || [], [], false);
}

// "Terapkan": the preview first (errors, or what changes), then deploy only on "Ya".
async function preview(modeler, opts, box) {
  const { xml } = await modeler.saveXML({ format: true });
  const { status, body } = await post(opts.previewUrl, opts.csrfToken, xml);
  if (status !== 200 || !body.valid) {
    showResult(box, body.detail || 'Model belum dapat diterapkan.', body.errors || [], [], false);
    return;
  }
  const dialog = opts.dialog;
  const confirmText = renderPreview(dialog.querySelector('.pratinjau-isi'), body);
  const confirm = dialog.querySelector('.pratinjau-ya');
  confirm.hidden = !confirmText;
  confirm.textContent = confirmText || '';
  const cancel = dialog.querySelector('.pratinjau-batal');
  cancel.textContent = confirmText ? 'Batal' : 'Tutup';
  confirm.onclick = () => dialog.close('ya');
  cancel.onclick = () => dialog.close('batal');
  dialog.onclose = () => {
    if (dialog.returnValue === 'ya') deploy(xml, opts, box);
    else showResult(box, confirmText ? 'Penerapan dibatalkan; belum ada yang berubah.'
      : `Tidak ada perubahan: versi ${body.latest} tetap berlaku.`, [], [], !confirmText);
  };
  dialog.returnValue = '';
  dialog.showModal();
}

export async function open(opts) {
  const modeler = new BpmnModeler({
    container: opts.container,
    propertiesPanel: { parent: opts.panel },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule,
      TranslateModule,
    ],
    moddleExtensions: { spiffworkflow: spiffDescriptor },
  });
  window.alurModeler = modeler;
  const box = opts.result;
  try {
    await modeler.importXML(opts.xml);
    modeler.get('canvas').zoom('fit-viewport');
  } catch (err) {
    showResult(box, `BPMN tidak dapat dibuka: ${err.message}`, [], [], false);
  }
  opts.validateButton.addEventListener('click', () => validate(modeler, opts, box));
  opts.deployButton.addEventListener('click', () => preview(modeler, opts, box));
  document.body.dataset.modelerReady = 'true';
  return modeler;
}

window.AlurModeler = { open };
