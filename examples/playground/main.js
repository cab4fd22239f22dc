// The playground page: the settings form, the training worker, the live charts and downloads.
// Everything runs in this tab from static files; nothing is fetched from another origin.
import { cliCommand, fromSearch, toSearch } from './config.js';
import {
  FILE_TASK,
  buildForm,
  clearErrors,
  linkNote,
  readForm,
  showError,
  showTaskOptions,
  writeForm,
} from './form.js';
import { draw, emptyRun, record } from './view.js';

const $ = (id) => document.getElementById(id);

let worker = null;
let run = emptyRun();
let file = null; // { name, bytes } of the data file you dropped in, or null
let trained = null; // the settings (as JSON) of the run Train last started: what Resume continues
let drawPending = false;

/** Status line (announced politely to screen readers); the tests read it. */
function status(text) {
  $('status').textContent = text;
}

/** Which buttons make sense now: 'idle', 'training', 'stopped' or 'done'. */
function setState(state) {
  const focused = document.activeElement;
  $('train').disabled = state === 'training';
  $('stop').disabled = state !== 'training';
  $('resume').disabled = state !== 'stopped';
  for (const button of document.querySelectorAll('#downloads button'))
    button.disabled = state !== 'done';
  // A disabled button loses the keyboard focus (to the page): hand it to the button that
  // does the next thing, so that keyboard users stay where they were.
  if (focused instanceof HTMLButtonElement && focused.disabled) {
    const next = { training: 'stop', stopped: 'resume', done: 'train', idle: 'train' }[state];
    $(next).focus();
  }
}

function buildNote(threads, isolated) {
  $('build-note').textContent = isolated
    ? `Threaded build, ${threads} thread${threads === 1 ? '' : 's'}: this page is cross-origin isolated (served with COOP/COEP headers), so the worker can share memory with its helper threads.`
    : 'Single-threaded build: this page is not cross-origin isolated (its server sends no COOP/COEP headers), so SharedArrayBuffer, which threads need, is unavailable, and the Threads field is not used. Results are bit for bit the same, only slower.';
}

/** Keeps the URL, the command line and the share link in step with the form. */
function syncUrl() {
  const config = readForm();
  const search = toSearch(config);
  history.replaceState(null, '', `#${search}`);
  $('share-link').href = `#${search}`;
  const dataName = config.task === FILE_TASK ? (file?.name ?? 'FILE') : null;
  $('cli-command').textContent = cliCommand(config, dataName);
  $('url-note').hidden = config.task !== FILE_TASK;
}

function redrawSoon() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw(run);
  });
}

function onMessage({ data: m }) {
  if (m.type === 'ready') buildNote(m.threads, m.isolated);
  else if (m.type === 'training') status(m.resumed ? 'training (resumed)…' : 'training…');
  else if (m.type === 'snapshot' || m.type === 'epoch') {
    record(run, m);
    redrawSoon();
    if (m.type === 'snapshot' && m.progress)
      status(
        `training: epoch ${m.progress.epoch}, batch ${m.progress.batch}/${m.progress.batches}`,
      );
    if (m.type === 'epoch')
      status(
        `training: epoch ${m.record.epoch}/${m.epochs} done, test loss ${m.record.valLoss?.toFixed(4)}`,
      );
  } else if (m.type === 'stopped') {
    status(`stopped at epoch ${m.epoch}, step ${m.step}: Resume continues from here`);
    setState('stopped');
  } else if (m.type === 'done') finished(m.summary);
  else if (m.type === 'file') save(m.name, m.blob);
  else if (m.type === 'error') failed(m.message);
}

function finished(summary) {
  window.playgroundSummary = summary; // for the tests and for your console
  const accuracy =
    summary.test_accuracy === null
      ? `test loss ${summary.test_loss.toFixed(4)}`
      : `test accuracy ${summary.test_accuracy.toFixed(4)}`;
  status(`${accuracy}, ${summary.synapses} synapses, state_hash ${summary.state_hash}: done`);
  setState('done');
}

function failed(message) {
  if (!showError(message)) $('error-train').textContent = message;
  status(`error: ${message}`);
  setState('idle');
}

function train() {
  clearErrors();
  worker?.terminate(); // one worker per run: init() fixes its thread count once
  run = emptyRun();
  for (const id of [
    'loss-chart',
    'accuracy-chart',
    'degree-chart',
    'out-degree-chart',
    'turnover-chart',
    'trial-chart',
    'connectivity-chart',
  ])
    $(id).replaceChildren();
  const config = readForm();
  trained = JSON.stringify(config); // what Resume continues
  if (config.task === FILE_TASK && !file)
    return failed(
      'task (=your file) needs a data file: choose or drop an .npz, .npy, CSV or JSON file',
    );
  worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onMessage;
  worker.onerror = (e) =>
    failed(e.message ?? 'the training worker could not start (see the browser console)');
  setState('training');
  status('loading sqrtk…');
  const message = { type: 'start', config };
  if (config.task === FILE_TASK) message.file = { name: file.name, bytes: file.bytes.slice(0) };
  worker.postMessage(message);
}

/** Saves `blob` as `name` through a temporary link (the usual way to download from a page). */
function save(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Larger files are refused before they are read (the loader refuses data above 1 GiB too). */
const MAX_FILE_BYTES = 1 << 30;

async function useFile(chosen) {
  if (!chosen) return;
  if (chosen.size > MAX_FILE_BYTES) {
    status(
      `error: ${chosen.name} has ${chosen.size.toLocaleString()} bytes, more than the 1 GiB a data file may have here`,
    );
    return;
  }
  file = { name: chosen.name, bytes: new Uint8Array(await chosen.arrayBuffer()) };
  $('field-task').value = FILE_TASK;
  showTaskOptions(FILE_TASK);
  $('file-name').textContent = `${chosen.name} (${chosen.size.toLocaleString()} bytes)`;
  syncUrl();
}

function wire() {
  $('settings').addEventListener('input', syncUrl);
  $('settings').addEventListener('change', syncUrl);
  $('settings').addEventListener('submit', (e) => {
    e.preventDefault(); // Enter in a field trains, as the Train button does
    if (!$('train').disabled) train();
  });
  $('field-task').addEventListener('change', () => showTaskOptions($('field-task').value));
  $('stop').onclick = () => worker?.postMessage({ type: 'stop' });
  $('resume').onclick = () => {
    // Resume continues the stopped run as it was set up; edited settings need a new run.
    if (JSON.stringify(readForm()) !== trained) {
      status(
        'the settings changed since Stop: Resume would continue the old run; press Train to start one with the new settings',
      );
      return;
    }
    setState('training');
    worker.postMessage({ type: 'resume' });
  };
  for (const button of document.querySelectorAll('#downloads button'))
    button.onclick = () => worker.postMessage({ type: 'download', what: button.dataset.what });
  $('upload').addEventListener('change', () => useFile($('upload').files[0]));
  const drop = $('drop-zone');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    useFile(e.dataTransfer.files[0]);
  });
  window.addEventListener('hashchange', () => {
    const config = fromSearch(location.hash);
    writeForm(config);
    syncUrl();
    const note = linkNote(config, file !== null);
    if (note) status(note);
  });
}

buildForm();
const linked = fromSearch(location.hash || location.search);
writeForm(linked);
wire();
syncUrl();
setState('idle');
buildNote(navigator.hardwareConcurrency, window.crossOriginIsolated === true);
status(linkNote(linked, false) || 'ready: set up a network and press Train');
