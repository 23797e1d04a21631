// The settings form, built from the core's schema (settingsSchema() in src/web.rs):
// the same fields, labels, units and defaults as the CLI's options. Values go to the
// core as typed; the core parses them (decimal commas included), checks them, and
// names the field of a problem, so no English is matched here.

import { settingsSchema } from '../pkg/sigmafit.js';
import { el } from './dom.js';

/** The choice that shows the free-text circuit field. */
export const CUSTOM_CIRCUIT = 'custom';

/** Fields that fold away under "More": rarely needed, and each has a working default. */
const MORE = new Set(['area_cm2', 'init', 'fix']);

const PLACEHOLDER = {
  thickness_err_mm: 'optional',
  diameter_err_mm: 'optional',
  area_cm2: 'instead of D',
  fmin_hz: 'lowest',
  fmax_hz: 'highest',
  exclude_f_hz: 'e.g. 50, 1e5',
  init: 'e.g. R1=100',
  fix: 'e.g. CPE2.alpha=1',
};

/** @type {any[]} */
let fields = [];

function label(field, extra = {}) {
  return el('label', { for: field.id, title: field.help, ...extra }, field.label);
}

function numberField(field) {
  const input = el('input', {
    type: 'text',
    inputmode: 'decimal',
    class: 'num-input',
    id: field.id,
    name: field.key,
    value: field.suggested ?? field.default ?? '',
    placeholder: PLACEHOLDER[field.key],
    title: field.help,
  });
  const box = el('div', { class: 'input-unit' }, input, el('span', {}, field.unit));
  if (field.suggested !== null && field.suggested !== undefined) {
    // A value filled in to show a result at once, not the user's: marked until edited.
    const mark = el('span', {
      class: 'default-mark',
      id: `${field.id}-default`,
      'data-default-for': field.id,
      title: `Not your pellet's: the page's assumed ${field.label.toLowerCase()}. Enter yours.`,
    }, 'default');
    input.setAttribute('aria-describedby', mark.id);
    box.append(mark);
  }
  return [label(field), box];
}

function choiceField(field) {
  const select = el('select', { id: field.id, name: field.key, class: field.free_text ? 'wide' : undefined, title: field.help });
  for (const [value, text] of field.options) {
    select.append(el('option', { value, selected: value === field.default }, text));
  }
  const nodes = [label(field, field.free_text ? { class: 'wide-label' } : {}), select];
  if (field.free_text) {
    select.append(el('option', { value: CUSTOM_CIRCUIT }, 'custom circuit string…'));
    nodes.push(
      el('label', { for: `${field.id}-text`, class: 'custom-only' }, 'String'),
      el('input', {
        type: 'text',
        id: `${field.id}-text`,
        class: 'custom-only mono',
        name: `${field.key}_text`,
        value: 'R1-p(R2,CPE2)',
        spellcheck: 'false',
        enterkeyhint: 'done',
        'aria-describedby': `${field.id}-text-hint`,
        title: field.help,
      }),
      el('p', { class: 'field-hint custom-only', id: `${field.id}-text-hint` }, 'Press Enter (or leave the field) to fit.'),
    );
  }
  return nodes;
}

function assignmentsField(field) {
  return [
    label(field),
    el('input', {
      type: 'text',
      id: field.id,
      name: field.key,
      class: 'mono',
      placeholder: PLACEHOLDER[field.key],
      spellcheck: 'false',
      title: field.help,
    }),
  ];
}

function nodesFor(field) {
  if (field.type === 'number') return numberField(field);
  if (field.type === 'choice') return choiceField(field);
  return assignmentsField(field);
}

/** Builds the form's fieldsets from the schema into `form` (after its heading). */
export function buildSettingsForm(form) {
  fields = settingsSchema();
  const groups = new Map();
  for (const field of fields) {
    if (!groups.has(field.group)) groups.set(field.group, []);
    groups.get(field.group).push(field);
  }
  for (const [group, members] of groups) {
    const grid = el('div', { class: 'field-grid' });
    const more = el('div', { class: 'field-grid' });
    for (const field of members) (MORE.has(field.key) ? more : grid).append(...nodesFor(field));
    const fieldset = el('fieldset', {}, el('legend', {}, group), grid);
    if (more.childElementCount) {
      fieldset.append(el('details', { class: 'more-settings' }, el('summary', {}, 'More'), more));
    }
    if (group === 'Pellet') fieldset.append(el('p', { class: 'derived', id: 'area-note' }));
    form.append(fieldset);
  }
  return fields;
}

/**
 * The settings object the boundary takes: every field's text as typed (empty means
 * "not given" or the default), the circuit from its choice or its free text.
 */
export function readSettings() {
  const settings = {};
  for (const field of fields) {
    const input = document.getElementById(field.id);
    if (!input) continue;
    let value = input.value;
    if (field.type === 'choice' && field.free_text && value === CUSTOM_CIRCUIT) {
      value = document.getElementById(`${field.id}-text`).value.trim();
    }
    settings[field.key] = value;
  }
  return settings;
}

/** The form element a settings error is about: the free-text circuit when it is in use. */
export function inputForError(error) {
  const id = error?.id;
  if (!id) return null;
  const select = document.getElementById(id);
  if (select instanceof HTMLSelectElement && select.value === CUSTOM_CIRCUIT) return `${id}-text`;
  return document.getElementById(id) ? id : null;
}
