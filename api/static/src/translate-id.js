// Bahasa Indonesia for every text of the modeler: bpmn-js's `translate` service is replaced by
// a dictionary lookup (English template -> Indonesian), the way bpmn-js's i18n example does it.
// Our own panel entries use English keys too, so one dictionary holds every text and a browser
// test can check the page against it. The properties panel's built-in buttons ("Toggle
// section", "Open pop-up editor", …) reach this function through build.mjs.
import ID from './translations-id.json';

export function translate(template, replacements) {
  const text = Object.prototype.hasOwnProperty.call(ID, template) ? ID[template] : template;
  return text.replace(/{([^}]+)}/g, (_, key) => {
    const value = (replacements || {})[key];
    return value === undefined || value === null ? `{${key}}` : String(value);
  });
}

export default { translate: ['value', translate] };
