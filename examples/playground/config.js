// The playground's configuration: the form's fields, their defaults, and the two ways a
// configuration travels: in the page's URL (#neurons=100&k=10&…, so a link reproduces a run)
// and as the equivalent `sqrtk train` command line (the same seed gives the same state_hash).

/**
 * The form's fields, in display order. `option` is the name the library uses (its error
 * messages start with it, which is how an error finds its field); `flag` is the CLI's flag and
 * `cli` its default there (a field equal to it is left out of the command line). An empty
 * field means "the library's default" (e.g. learned = round(√K)).
 */
export const FIELDS = [
  {
    id: 'neurons',
    option: 'neurons',
    label: 'Neurons N',
    type: 'int',
    value: '300',
    flag: '--neurons',
    cli: '1000',
  },
  {
    id: 'k',
    option: 'k',
    label: 'Mean backbone in-degree K',
    type: 'int',
    value: '30',
    flag: '--k',
    cli: '100',
  },
  {
    id: 'learned',
    option: 'learned',
    label: 'Learned synapses per neuron M',
    type: 'int',
    value: '',
    flag: '--learned',
    cli: '',
    hint: 'empty: round(√K)',
  },
  {
    id: 'growth',
    option: 'growth',
    label: 'Growth strategy',
    type: 'choice',
    choices: ['random', 'gradient', 'sampled', 'deep_r'],
    value: 'sampled',
    flag: '--growth',
    cli: 'random',
  },
  {
    id: 'mode',
    option: 'mode',
    label: 'Mode',
    type: 'choice',
    choices: ['add', 'hidden'],
    value: 'add',
    flag: '--mode',
    cli: 'add',
  },
  {
    id: 'excitatory',
    option: 'excitatory',
    label: 'Excitatory fraction',
    type: 'number',
    value: '',
    flag: '--excitatory',
    cli: '',
    hint: 'empty: no populations; e.g. 0.8',
  },
  {
    id: 'dale',
    option: 'dale',
    label: "Dale's law",
    type: 'bool',
    value: '',
    flag: '--dale',
    cli: '',
  },
  {
    id: 'epochs',
    option: 'epochs',
    label: 'Epochs',
    type: 'int',
    value: '5',
    flag: '--epochs',
    cli: '20',
  },
  {
    id: 'batch-size',
    option: 'batchSize',
    label: 'Batch size',
    type: 'int',
    value: '32',
    flag: '--batch-size',
    cli: '32',
  },
  {
    id: 'lr',
    option: 'lr',
    label: 'Learning rate',
    type: 'number',
    value: '0.002',
    flag: '--lr',
    cli: '0.002',
  },
  {
    id: 'rewire-every',
    option: 'rewireEvery',
    label: 'Rewire every (steps)',
    type: 'int',
    value: '25',
    flag: '--rewire-every',
    cli: '',
    hint: 'empty: 100 (deep_r: 1)',
  },
  { id: 'seed', option: 'seed', label: 'Seed', type: 'int', value: '1', flag: '--seed', cli: '0' },
  {
    id: 'threads',
    option: 'threads',
    label: 'Threads',
    type: 'int',
    value: '',
    flag: '--threads',
    cli: '',
    hint: 'empty: all cores (when cross-origin isolated)',
  },
];

/** With your own file: the share of it held out for testing, and standardizing (as --data does). */
export const DATA_FIELDS = [
  {
    id: 'test-fraction',
    option: 'test',
    label: 'Test fraction',
    type: 'number',
    value: '0.2',
    flag: '--test-fraction',
    cli: '0.2',
  },
  {
    id: 'standardize',
    option: 'standardize',
    label: 'Standardize inputs',
    type: 'bool',
    value: '',
    flag: '--standardize',
    cli: '',
  },
];

export const DEFAULT_TASK = 'digits';

/** A field's text as the library wants it: a number, true, or undefined (library default). */
export function parseValue(field, text) {
  if (field.type === 'bool') return text === 'true' ? true : undefined;
  if (text.trim() === '') return undefined;
  if (field.type === 'choice') return text;
  // Whole numbers as the CLI reads them (digits only: not 1e2 or 0x8); anything else becomes
  // NaN, which the library refuses with its own message.
  if (field.type === 'int') return /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number(text);
}

/** A task option's text, typed by its default: a number or a comma-separated list. */
export function parseTaskOption(defaultValue, text) {
  if (Array.isArray(defaultValue)) return text.split(',').map((v) => Number(v.trim()));
  return Number(text);
}

const show = (value) => (Array.isArray(value) ? value.join(',') : String(value));

/**
 * The configuration as URL parameters: every field (so a link keeps meaning the same run if the
 * page's defaults change), and the task options that differ from the task's defaults.
 */
export function toSearch(config) {
  const params = new URLSearchParams();
  params.set('task', config.task);
  for (const field of [...FIELDS, ...DATA_FIELDS]) {
    const text = config.fields[field.id];
    if (text !== '' || field.value !== '') params.set(field.id, text);
  }
  for (const [key, text] of Object.entries(config.taskOptions)) params.set(`task.${key}`, text);
  return params.toString();
}

/** The configuration a URL's hash (or query) describes; missing fields take the page defaults. */
export function fromSearch(search) {
  const params = new URLSearchParams(search.replace(/^[#?]/, ''));
  const fields = {};
  for (const field of [...FIELDS, ...DATA_FIELDS])
    fields[field.id] = params.get(field.id) ?? field.value;
  const taskOptions = {};
  for (const [key, value] of params) if (key.startsWith('task.')) taskOptions[key.slice(5)] = value;
  return { task: params.get('task') ?? DEFAULT_TASK, fields, taskOptions };
}

/** The `sqrtk train` command that makes the same run (fields equal to the CLI's defaults left out). */
export function cliCommand(config, dataName) {
  const words = ['npx', 'sqrtk', 'train'];
  if (dataName) words.push('--data', quote(dataName));
  else words.push('--task', config.task);
  if (!dataName)
    for (const [key, text] of Object.entries(config.taskOptions))
      words.push('--task-option', quote(`${key}=${text}`));
  const fields = dataName ? [...FIELDS, ...DATA_FIELDS] : FIELDS;
  for (const field of fields) {
    const text = config.fields[field.id];
    if (field.id === 'threads' || text === '' || text === field.cli) continue;
    if (field.type === 'bool') words.push(field.flag);
    else words.push(field.flag, quote(text));
  }
  words.push('--out', 'runs/playground');
  return words.join(' ');
}

/** `word` as one shell word: as it is when safe, else in single quotes ('it''s' → 'it'\''s'). */
function quote(word) {
  return /^[\w./=,:+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Task options that differ from the task's defaults, as text (for the URL and the CLI). */
export function changedTaskOptions(defaults, texts) {
  const changed = {};
  for (const [key, text] of Object.entries(texts))
    if (key in defaults && text.trim() !== show(defaults[key])) changed[key] = text.trim();
  return changed;
}

export { show as showOption };
