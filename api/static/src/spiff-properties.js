// Properties-panel group for the spiffworkflow:properties of a user task: the SOP row, activity,
// requirements (kelengkapan), duration, output and the task's form (JSON Schema). Values are
// written with commands, so undo works and the extension elements survive saveXML.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import {
  TextAreaEntry, TextFieldEntry, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';

export const FIELDS = [
  { name: 'row', label: 'Baris SOP (row)', multiline: false },
  { name: 'activity', label: 'Aktivitas (activity)', multiline: true },
  { name: 'requirements', label: 'Kelengkapan/persyaratan (requirements)', multiline: true },
  { name: 'duration', label: 'Waktu (duration), mis. "1 hari"', multiline: false },
  { name: 'output', label: 'Output (output)', multiline: true },
  { name: 'form', label: 'Formulir: JSON Schema (form)', multiline: true, json: true },
];

function propertiesOf(bo) {
  const ext = bo.get('extensionElements');
  return ext && ext.get('values').find((v) => is(v, 'spiffworkflow:Properties'));
}

export function getProperty(element, name) {
  const props = propertiesOf(element.businessObject);
  const prop = props && props.get('properties').find((p) => p.name === name);
  return prop ? prop.value : undefined;
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

export function setProperty(injector, element, name, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const moddle = injector.get('moddle');
  const bo = element.businessObject;
  const commands = [];
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    commands.push(update(element, bo, { extensionElements: ext }));
  }
  let props = propertiesOf(bo);
  if (!props) {
    props = moddle.create('spiffworkflow:Properties', { properties: [] });
    props.$parent = ext;
    commands.push(update(element, ext, { values: [...ext.get('values'), props] }));
  }
  const prop = props.get('properties').find((p) => p.name === name);
  if (prop) {
    commands.push(update(element, prop, { value }));
  } else {
    const created = moddle.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    commands.push(update(element, props, { properties: [...props.get('properties'), created] }));
  }
  injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
}

function validateJson(value) {
  if (!value) return null;
  try {
    const form = JSON.parse(value);
    return form && form.type === 'object' ? null : 'Skema harus berjenis "object".';
  } catch (err) {
    return `Bukan JSON yang sah: ${err.message}`;
  }
}

function entry(injector, element, field) {
  return {
    id: `spiff-${field.name}`,
    element,
    label: field.label,
    component: field.multiline ? TextAreaEntry : TextFieldEntry,
    isEdited: field.multiline ? isTextAreaEntryEdited : isTextFieldEntryEdited,
    debounce: injector.get('debounceInput'),
    rows: field.json ? 8 : 3,
    monospace: Boolean(field.json),
    validate: field.json ? validateJson : undefined,
    getValue: () => getProperty(element, field.name) || '',
    setValue: (value) => setProperty(injector, element, field.name, value || ''),
  };
}

class SpiffPropertiesProvider {
  constructor(propertiesPanel, injector) {
    this._injector = injector;
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      if (is(element, 'bpmn:UserTask')) {
        groups.splice(1, 0, {
          id: 'spiffworkflow-properties',
          label: 'Langkah SOP (spiffworkflow:properties)',
          entries: FIELDS.map((field) => entry(this._injector, element, field)),
        });
      }
      return groups;
    };
  }
}
SpiffPropertiesProvider.$inject = ['propertiesPanel', 'injector'];

export default {
  __init__: ['spiffPropertiesProvider'],
  spiffPropertiesProvider: ['type', SpiffPropertiesProvider],
};
