// A user task's form (the `form` property: JSON Schema) as a list of fields of the kinds the
// step pages know: teks, teks panjang, angka, uang, tanggal, pilihan, daftar, pejabat, dokumen.
// Only the keywords of a field's kind are touched; every other keyword (x-decree, description,
// keywords of kinds added later) is kept as written.

export const ATTACHMENTS_KEY = 'lampiran';
const KEY = /^[a-z][a-z0-9_]*$/;

// The engine's attachment references (orchestrator/engine/model.py ATTACHMENTS).
const ATTACHMENT_ITEMS = {
  type: 'object', additionalProperties: false, required: ['nama', 'sha256', 'ukuran'],
  properties: {
    nama: { type: 'string', maxLength: 200 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    ukuran: { type: 'integer', minimum: 0 },
  },
};

// Each kind: its label (a dictionary key), the keywords it owns and what a new field gets.
export const KINDS = [
  { id: 'teks', label: 'text', make: () => ({ type: 'string', maxLength: 200 }) },
  { id: 'teks_panjang', label: 'long text', make: () => ({ type: 'string', maxLength: 2000 }) },
  { id: 'angka', label: 'number', make: () => ({ type: 'number' }) },
  { id: 'uang', label: 'money',
    make: () => ({ type: 'integer', minimum: 0, 'x-alur-widget': 'money' }) },
  { id: 'tanggal', label: 'date', make: () => ({ type: 'string', format: 'date' }) },
  { id: 'pilihan', label: 'choice',
    make: () => ({ type: 'string', enum: ['ya', 'tidak'],
      'x-enumLabels': { ya: 'Ya', tidak: 'Tidak' } }) },
  { id: 'daftar', label: 'list',
    make: () => ({ type: 'array', items: { type: 'string', maxLength: 200 } }) },
  { id: 'pejabat', label: 'official',
    make: () => ({ type: 'string', 'x-alur-widget': 'user', 'x-alur-lanes': [] }) },
  { id: 'dokumen', label: 'documents',
    make: () => ({ type: 'array', title: 'Lampiran', maxItems: 10, minItems: 0,
      items: ATTACHMENT_ITEMS }) },
];
export const OTHER = { id: 'lainnya', label: 'other (kept as written)' };
const KIND_KEYWORDS = ['type', 'format', 'enum', 'x-enumLabels', 'x-alur-widget', 'x-alur-lanes',
  'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'pattern',
  'multipleOf', 'default'];
const LONG_TEXT = 200; // as api/pages/taskform.py: longer or unbounded text is a text area
const MONEY = ['money', 'uang', 'currency', 'rupiah'];

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The kind of a field, by its keywords; OTHER when the editor does not know it. */
export function kindOf(key, spec) {
  const widget = String(spec['x-alur-widget'] || '');
  const type = spec.type;
  if (key === ATTACHMENTS_KEY || (type === 'array' && isObject(spec.items)
      && isObject(spec.items.properties) && 'sha256' in spec.items.properties)) return 'dokumen';
  if (widget === 'user') return 'pejabat';
  if (Array.isArray(spec.enum)) return 'pilihan';
  if (MONEY.includes(widget) || MONEY.includes(String(spec.format || ''))) return 'uang';
  if (type === 'array') return 'daftar';
  if (type === 'number' || type === 'integer') return 'angka';
  if (type === 'string' && spec.format === 'date') return 'tanggal';
  if (type === 'string' && !spec.format) {
    return typeof spec.maxLength === 'number' && spec.maxLength <= LONG_TEXT ? 'teks' : 'teks_panjang';
  }
  return OTHER.id;
}

/** {form, error}: the parsed form (a new empty one for an empty property). */
export function parseForm(raw) {
  if (!raw || !String(raw).trim()) {
    return { form: { type: 'object', properties: {}, required: [], additionalProperties: false } };
  }
  try {
    const form = JSON.parse(raw);
    if (!isObject(form)) return { error: 'not an object' };
    return { form };
  } catch (err) {
    return { error: err.message };
  }
}

/** The fields in their order: {key, spec, required, kind}. */
export function fieldsOf(form) {
  const required = new Set(Array.isArray(form.required) ? form.required : []);
  const properties = isObject(form.properties) ? form.properties : {};
  return Object.entries(properties).map(([key, spec]) => {
    const field = isObject(spec) ? spec : {};
    return { key, spec: field, required: required.has(key), kind: kindOf(key, field) };
  });
}

function withFields(form, entries, required) {
  const copy = { ...form, properties: Object.fromEntries(entries) };
  const known = new Set(entries.map(([key]) => key));
  copy.required = required.filter((key) => known.has(key));
  return copy;
}

function requiredOf(form) {
  return Array.isArray(form.required) ? [...form.required] : [];
}

/** A copy of the form with one field's schema replaced (`change` maps old spec to new). */
export function updateField(form, key, change) {
  const entries = Object.entries(form.properties || {}).map(
    ([name, spec]) => [name, name === key ? change({ ...spec }) : spec]);
  return withFields(form, entries, requiredOf(form));
}

export function renameField(form, key, newKey) {
  const entries = Object.entries(form.properties || {}).map(
    ([name, spec]) => [name === key ? newKey : name, spec]);
  return withFields(form, entries, requiredOf(form).map((name) => (name === key ? newKey : name)));
}

export function setRequired(form, key, required) {
  const names = requiredOf(form).filter((name) => name !== key);
  let result = withFields(form, Object.entries(form.properties || {}), required ? [...names, key] : names);
  if (kindOf(key, result.properties[key] || {}) === 'dokumen') {
    result = updateField(result, key, (spec) => {
      const minItems = Number(spec.minItems) || 0;
      return { ...spec, minItems: required ? Math.max(1, minItems) : 0 };
    });
  }
  return result;
}

/** Why the field `key` cannot become of `kind` (a dictionary key), or null. */
export function kindProblem(form, key, kind) {
  if (kind === 'dokumen' && key !== ATTACHMENTS_KEY && ATTACHMENTS_KEY in (form.properties || {})) {
    return 'A form has only one documents field.';
  }
  return null;
}

/** The field as a new kind: that kind's keywords replace the old kind's, the rest is kept;
 * documents always live under `lampiran` (the key the engine and the step pages use). */
export function setKind(form, key, kind) {
  const definition = KINDS.find((k) => k.id === kind);
  if (!definition || kindProblem(form, key, kind)) return form;
  const made = definition.make();
  const result = updateField(form, key, (spec) => {
    const kept = Object.fromEntries(
      Object.entries(spec).filter(([name]) => !KIND_KEYWORDS.includes(name)));
    return { ...made, ...kept };
  });
  if (kind === 'dokumen' && key !== ATTACHMENTS_KEY) {
    return renameField(result, key, ATTACHMENTS_KEY);
  }
  if (kind !== 'dokumen' && key === ATTACHMENTS_KEY) return renameField(result, key, freshKey(form));
  return result;
}

export function addField(form, key) {
  const entries = [...Object.entries(form.properties || {}), [key, { ...KINDS[0].make(), title: 'Isian baru' }]];
  return withFields(form, entries, requiredOf(form));
}

export function removeField(form, key) {
  const entries = Object.entries(form.properties || {}).filter(([name]) => name !== key);
  return withFields(form, entries, requiredOf(form));
}

export function moveField(form, key, step) {
  const entries = Object.entries(form.properties || {});
  const from = entries.findIndex(([name]) => name === key);
  const to = from + step;
  if (from < 0 || to < 0 || to >= entries.length) return form;
  const [moved] = entries.splice(from, 1);
  entries.splice(to, 0, moved);
  return withFields(form, entries, requiredOf(form));
}

/** A key no field uses yet: isian_1, isian_2, … */
export function freshKey(form) {
  const used = new Set(Object.keys(form.properties || {}));
  let n = used.size + 1;
  while (used.has(`isian_${n}`)) n += 1;
  return `isian_${n}`;
}

/** Why `newKey` cannot name the field `key` (a dictionary key), or null. */
export function keyProblem(form, key, newKey) {
  if (!KEY.test(newKey || '')) {
    return 'The key must start with a lower-case letter and use only lower-case letters, digits and _.';
  }
  if (newKey !== key && newKey in (form.properties || {})) return 'Another field already uses this key.';
  if (newKey === ATTACHMENTS_KEY && kindOf(key, form.properties[key] || {}) !== 'dokumen') {
    return 'The key lampiran is reserved for documents.';
  }
  return null;
}

/** The choices of a pilihan field as lines "value = label". */
export function choicesText(spec) {
  const labels = isObject(spec['x-enumLabels']) ? spec['x-enumLabels'] : {};
  return (spec.enum || []).map((value) => {
    const label = labels[value];
    return label === undefined || label === String(value) ? String(value) : `${value} = ${label}`;
  }).join('\n');
}

/** [enum, labels] from lines "value = label", or null when a line has no value. */
export function parseChoices(text) {
  const values = [];
  const labels = {};
  for (const line of String(text || '').split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    const value = (at < 0 ? line : line.slice(0, at)).trim();
    const label = at < 0 ? value : line.slice(at + 1).trim() || value;
    if (!value || values.includes(value)) return null;
    values.push(value);
    labels[value] = label;
  }
  return values.length ? [values, labels] : null;
}
