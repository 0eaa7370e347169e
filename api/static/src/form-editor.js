// The properties-panel section "Formulir langkah" of a user task: the form's fields as a list
// (key, label, kind, required, the kind's own settings), added, removed and reordered there.
// It reads and writes the task's `form` property through setProperty (so undo works).
import { is } from 'bpmn-js/lib/util/ModelUtil';
import {
  CheckboxEntry, Group, ListGroup, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { jsx, jsxs } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import {
  KINDS, OTHER, addField, choicesText, fieldsOf, freshKey, keyProblem,
  kindProblem, moveField, parseChoices, parseForm, removeField, renameField, setKind,
  setRequired, updateField,
} from './form-schema.js';

// Stable ids for the list items while fields are renamed or moved (the panel keys its items
// by id: an id that changed would close the item being edited).
const tokens = new Map();
let counter = 0;

function itemTokens(element, count) {
  let list = tokens.get(element.id);
  if (!list || list.length !== count) {
    list = Array.from({ length: count }, () => `f${(counter += 1)}`);
    tokens.set(element.id, list);
  }
  return list;
}

class FormAccess {
  constructor(injector, element, getProperty, setProperty) {
    this.injector = injector;
    this.element = element;
    this.translate = injector.get('translate');
    this._get = () => getProperty(element, 'form');
    this._set = (value) => setProperty(injector, element, 'form', value);
  }

  form() {
    return parseForm(this._get()).form;
  }

  write(form) {
    this._set(JSON.stringify(form));
  }

  field(index) {
    return fieldsOf(this.form())[index];
  }

  /** Apply `change(form, field)` to the field at `index` and write the result. */
  change(index, change) {
    const form = this.form();
    const field = fieldsOf(form)[index];
    if (field) this.write(change(form, field));
  }
}

function textEntry(access, id, label, getValue, setValue, validate, description) {
  return {
    id, label: access.translate(label), component: TextFieldEntry,
    isEdited: isTextFieldEntryEdited, debounce: access.injector.get('debounceInput'),
    element: access.element, description: description && access.translate(description),
    getValue, validate: validate && ((value) => {
      const problem = validate(value);
      return problem ? access.translate(problem) : null;
    }),
    setValue: (value, error) => { if (!error) setValue(value); },
  };
}

function laneNames(injector) {
  return injector.get('elementRegistry').filter((el) => is(el, 'bpmn:Lane'))
    .map((el) => el.businessObject.name).filter(Boolean);
}

function baseEntries(access, index, prefix) {
  const t = access.translate;
  const field = () => access.field(index) || { key: '', spec: {} };
  return [
    textEntry(access, `${prefix}-key`, 'Field key', () => field().key,
      (value) => access.change(index, (form, f) => renameField(form, f.key, value)),
      (value) => keyProblem(access.form(), field().key, value)),
    textEntry(access, `${prefix}-title`, 'Field label', () => field().spec.title || '',
      (value) => access.change(index, (form, f) => updateField(form, f.key, (spec) => {
        if (value) return { ...spec, title: value };
        const { title, ...rest } = spec; // eslint-disable-line no-unused-vars
        return rest;
      }))),
    {
      id: `${prefix}-kind`, label: t('Field kind'), component: SelectEntry,
      isEdited: isSelectEntryEdited, element: access.element,
      getValue: () => field().kind,
      getOptions: () => [...KINDS, ...(field().kind === OTHER.id ? [OTHER] : [])]
        .map((kind) => ({ value: kind.id, label: t(kind.label) })),
      validate: (kind) => {
        const problem = kindProblem(access.form(), field().key, kind);
        return problem ? t(problem) : null;
      },
      setValue: (kind, error) => {
        if (!error) access.change(index, (form, f) => setKind(form, f.key, kind));
      },
    },
    {
      id: `${prefix}-required`, label: t('Required'), component: CheckboxEntry,
      isEdited: isCheckboxEntryEdited, element: access.element,
      getValue: () => field().required,
      setValue: (value) => access.change(index, (form, f) => setRequired(form, f.key, value)),
    },
  ];
}

function choiceEntry(access, index, prefix) {
  return {
    id: `${prefix}-choices`, label: access.translate('Choices, one per line: value = label'),
    component: TextAreaEntry, isEdited: isTextAreaEntryEdited, element: access.element,
    debounce: access.injector.get('debounceInput'), rows: 4,
    getValue: () => choicesText((access.field(index) || { spec: {} }).spec),
    validate: (text) => (parseChoices(text)
      ? null : access.translate('Each choice needs its own value: value = label.')),
    setValue: (text, error) => {
      const parsed = !error && parseChoices(text);
      if (!parsed) return;
      access.change(index, (form, f) => updateField(form, f.key, (spec) => (
        { ...spec, enum: parsed[0], 'x-enumLabels': parsed[1] })));
    },
  };
}

function laneEntries(access, index, prefix) {
  const chosen = () => {
    const lanes = (access.field(index) || { spec: {} }).spec['x-alur-lanes'];
    return Array.isArray(lanes) ? lanes : [];
  };
  const names = [...new Set([...laneNames(access.injector), ...chosen()])];
  const heading = {
    id: `${prefix}-lanes`, component: Heading, element: access.element,
    text: access.translate('Lanes the official may come from'),
  };
  return [heading, ...names.map((name, n) => ({
    id: `${prefix}-lane-${n}`, label: name, component: CheckboxEntry,
    isEdited: isCheckboxEntryEdited, element: access.element,
    getValue: () => chosen().includes(name),
    setValue: (on) => access.change(index, (form, f) => updateField(form, f.key, (spec) => {
      const rest = chosen().filter((lane) => lane !== name);
      return { ...spec, 'x-alur-lanes': on ? [...rest, name] : rest };
    })),
  }))];
}

function documentsEntry(access, index, prefix) {
  return textEntry(access, `${prefix}-min-items`, 'Minimum number of documents',
    () => String((access.field(index) || { spec: {} }).spec.minItems || 0),
    (value) => access.change(index, (form, f) => {
      const updated = updateField(form, f.key, (spec) => ({ ...spec, minItems: Number(value) }));
      return setRequired(updated, f.key, Number(value) > 0);
    }),
    (value) => (/^\d{1,2}$/.test(value || '') ? null : 'Not a whole number of 0 or more.'));
}

function Heading(props) {
  return jsx('div', {
    class: 'bio-properties-panel-entry alur-judul-kecil', 'data-entry-id': props.id,
    children: props.text,
  });
}

function OrderButtons(props) {
  const { id, index, count, move, translate } = props;
  const button = (step, label, disabled) => jsx('button', {
    type: 'button', class: 'alur-urutan-tombol', disabled, onClick: () => move(step),
    children: translate(label),
  });
  return jsxs('div', {
    class: 'bio-properties-panel-entry alur-urutan', 'data-entry-id': id,
    children: [button(-1, 'Move up', index === 0), button(1, 'Move down', index === count - 1)],
  });
}

function fieldEntries(access, index, kind, prefix, count, move) {
  const entries = baseEntries(access, index, prefix);
  if (kind === 'pilihan') entries.push(choiceEntry(access, index, prefix));
  if (kind === 'pejabat') entries.push(...laneEntries(access, index, prefix));
  if (kind === 'dokumen') entries.push(documentsEntry(access, index, prefix));
  entries.push({
    id: `${prefix}-order`, component: OrderButtons, element: access.element, index, count,
    move, translate: access.translate,
  });
  return entries;
}

/** The "Formulir langkah" list group of a user task. */
export function formGroup(injector, element, getProperty, setProperty) {
  const access = new FormAccess(injector, element, getProperty, setProperty);
  const parsed = parseForm(getProperty(element, 'form'));
  if (parsed.error) return brokenFormGroup(access, getProperty, setProperty);
  const fields = fieldsOf(parsed.form);
  const ids = itemTokens(element, fields.length);
  const items = fields.map((field, index) => {
    const prefix = `alur-form-${ids[index]}`;
    const move = (step) => {
      const list = tokens.get(element.id);
      const [token] = list.splice(index, 1);
      list.splice(index + step, 0, token);
      access.change(index, (form, f) => moveField(form, f.key, step));
    };
    return {
      id: prefix, label: field.spec.title || field.key,
      entries: fieldEntries(access, index, field.kind, prefix, fields.length, move),
      autoFocusEntry: `${prefix}-title`,
      remove: () => {
        tokens.get(element.id).splice(index, 1);
        access.change(index, (form, f) => removeField(form, f.key));
      },
    };
  });
  return {
    id: 'alur-form', label: access.translate('Step form'), component: ListGroup, items,
    add: (event) => {
      event.stopPropagation();
      const form = access.form();
      tokens.get(element.id).push(`f${(counter += 1)}`);
      access.write(addField(form, freshKey(form)));
    },
  };
}

// A form that is not JSON cannot be shown as fields: offer its text for repair.
function brokenFormGroup(access, getProperty, setProperty) {
  return {
    id: 'alur-form', label: access.translate('Step form'),
    component: Group,
    entries: [{
      id: 'alur-form-json', element: access.element, component: TextAreaEntry,
      label: access.translate('The form is not valid JSON and cannot be edited here.'),
      isEdited: isTextAreaEntryEdited, debounce: access.injector.get('debounceInput'),
      rows: 8, monospace: true,
      getValue: () => getProperty(access.element, 'form') || '',
      setValue: (value) => setProperty(access.injector, access.element, 'form', value || ''),
    }],
  };
}
