// Properties-panel groups for the spiffworkflow:properties of a user task: the SOP row, activity,
// requirements (kelengkapan), duration and output; and the task's form, edited as a list of
// fields (form-editor.js). Values are written with commands, so undo works and the extension
// elements survive saveXML.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import {
  TextAreaEntry, TextFieldEntry, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { formGroup } from './form-editor.js';

// Labels are dictionary keys (translations-id.json), like every text of the modeler.
export const FIELDS = [
  { name: 'row', label: 'SOP row (row)', multiline: false },
  { name: 'activity', label: 'Activity (activity)', multiline: true },
  { name: 'requirements', label: 'Requirements (requirements)', multiline: true },
  { name: 'duration', label: 'Duration (duration), e.g. "1 day"', multiline: false },
  { name: 'output', label: 'Output (output)', multiline: true },
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

function entry(injector, element, field) {
  return {
    id: `spiff-${field.name}`,
    element,
    label: injector.get('translate')(field.label),
    component: field.multiline ? TextAreaEntry : TextFieldEntry,
    isEdited: field.multiline ? isTextAreaEntryEdited : isTextFieldEntryEdited,
    debounce: injector.get('debounceInput'),
    rows: 3,
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
        const translate = this._injector.get('translate');
        groups.splice(1, 0, {
          id: 'spiffworkflow-properties',
          label: translate('SOP step (spiffworkflow:properties)'),
          entries: FIELDS.map((field) => entry(this._injector, element, field)),
        }, formGroup(this._injector, element, getProperty, setProperty));
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
