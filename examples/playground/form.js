// The settings form: built from the field list (config.js) and the library's task registry,
// read back into a configuration, and told where an error belongs.
import { TASK_INFO } from '../../dist/browser.js';
import { DATA_FIELDS, FIELDS, changedTaskOptions, showOption } from './config.js';

const $ = (id) => document.getElementById(id);
export const FILE_TASK = '(your file)';

/** One labelled control with a place for its error message (announced to screen readers). */
function control(field) {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const id = `field-${field.id}`;
  const error = `<span class="error" id="error-${field.id}" role="alert"></span>`;
  const hint = field.hint ? `<small id="hint-${field.id}">${field.hint}</small>` : '';
  const described = `aria-describedby="error-${field.id}${field.hint ? ` hint-${field.id}` : ''}"`;
  const test = `data-testid="${field.id}"`;
  if (field.type === 'choice') {
    const options = field.choices.map((c) => `<option>${c}</option>`).join('');
    wrap.innerHTML = `<label for="${id}">${field.label}</label><select id="${id}" ${test} ${described}>${options}</select>${hint}${error}`;
  } else if (field.type === 'bool') {
    wrap.innerHTML = `<label class="check"><input type="checkbox" id="${id}" ${test} ${described}> ${field.label}</label>${hint}${error}`;
  } else {
    const mode = field.type === 'int' ? 'numeric' : 'decimal';
    wrap.innerHTML = `<label for="${id}">${field.label}</label><input id="${id}" ${test} inputmode="${mode}" autocomplete="off" ${described}>${hint}${error}`;
  }
  return wrap;
}

/** Builds the form's controls into the page. */
export function buildForm() {
  const tasks = $('field-task');
  for (const info of TASK_INFO) tasks.add(new Option(info.name, info.name));
  tasks.add(new Option(FILE_TASK, FILE_TASK));
  for (const field of FIELDS) $('fields').append(control(field));
  for (const field of DATA_FIELDS) $('data-fields').append(control(field));
}

/** Shows the options of the selected task (empty for the digits tasks), filled from `texts`. */
export function showTaskOptions(name, texts = {}) {
  const box = $('task-options');
  box.replaceChildren();
  const info = TASK_INFO.find((t) => t.name === name);
  $('task-description').textContent = info
    ? `${info.description}. ${info.periods}; inputs: ${info.inputs}; outputs: ${info.outputs}. ${info.reference}.`
    : '';
  $('data-fields').hidden = name !== FILE_TASK;
  if (!info) return;
  for (const [key, value] of Object.entries(info.options)) {
    const field = { id: `task-${key}`, label: key, type: 'text' };
    const wrap = control(field);
    wrap.querySelector('input').value = texts[key] ?? showOption(value);
    wrap.querySelector('input').dataset.option = key;
    box.append(wrap);
  }
}

function setValue(field, text) {
  const input = $(`field-${field.id}`);
  if (field.type === 'bool') input.checked = text === 'true';
  else input.value = text;
}

function getValue(field) {
  const input = $(`field-${field.id}`);
  return field.type === 'bool' ? (input.checked ? 'true' : '') : input.value.trim();
}

/** Puts a configuration ({ task, fields, taskOptions }) into the form. */
export function writeForm(config) {
  const known = config.task === FILE_TASK || TASK_INFO.some((t) => t.name === config.task);
  $('field-task').value = known ? config.task : TASK_INFO[0].name;
  for (const field of [...FIELDS, ...DATA_FIELDS]) setValue(field, config.fields[field.id]);
  showTaskOptions($('field-task').value, config.taskOptions);
}

/** What the page should say about a link's task: nothing, or why it cannot be shown as it is. */
export function linkNote(config, haveFile) {
  if (config.task === FILE_TASK && !haveFile)
    return 'this link was made with a data file, which a link cannot carry: choose or drop the same file, then press Train';
  if (config.task !== FILE_TASK && !TASK_INFO.some((t) => t.name === config.task))
    return `the link's task (=${config.task}) is not a built-in task; showing ${TASK_INFO[0].name} instead`;
  return '';
}

/** The configuration the form shows now (task options only where they differ from defaults). */
export function readForm() {
  const task = $('field-task').value;
  const fields = {};
  for (const field of [...FIELDS, ...DATA_FIELDS]) fields[field.id] = getValue(field);
  const texts = {};
  for (const input of $('task-options').querySelectorAll('input'))
    texts[input.dataset.option] = input.value;
  const info = TASK_INFO.find((t) => t.name === task);
  return { task, fields, taskOptions: info ? changedTaskOptions(info.options, texts) : {} };
}

/** Clears every error message. */
export function clearErrors() {
  for (const span of document.querySelectorAll('.error')) span.textContent = '';
  for (const input of document.querySelectorAll('[aria-invalid]'))
    input.removeAttribute('aria-invalid');
}

/**
 * Shows the library's message next to the field it names. The library's messages start with the
 * option's name ("k (=200) must be less than neurons (=100); …"); a task option's name finds its
 * task field. Returns false when no field matches (the message then goes to the status line).
 */
export function showError(message) {
  const name = /^(?:--task-option \(=[^)]*\): )?([A-Za-z_]\w*)(?:\[\d+\])? \(=/.exec(message)?.[1];
  const field = [...FIELDS, ...DATA_FIELDS].find((f) => f.option === name);
  const id = field
    ? field.id
    : name === 'task'
      ? 'task'
      : name && $(`field-task-${name}`)
        ? `task-${name}`
        : null;
  if (!id) return false;
  $(`error-${id}`).textContent = message;
  $(`field-${id}`).setAttribute('aria-invalid', 'true');
  $(`field-${id}`).focus();
  return true;
}
