// The page: starts the training worker and shows what it reports.
const log = document.getElementById('log');
const progress = document.getElementById('progress');
const button = document.getElementById('start');

function start(options = {}) {
  button.disabled = true;
  log.textContent = '';
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') progress.value = data.fraction;
    if (data.type === 'line') log.textContent += data.text + '\n';
    if (data.type === 'done') {
      window.sqrtkResult = data.result; // read by the browser test
      button.disabled = false;
    }
  };
  worker.onerror = (e) => {
    const message = e.message ?? 'the training worker could not start (see the browser console)';
    log.textContent += `error: ${message}\n`;
    window.sqrtkResult = { error: message };
  };
  worker.postMessage(options);
}

button.onclick = () => start();
// The browser test starts training with ?auto=1 (and optionally &epochs=…).
const params = new URLSearchParams(location.search);
if (params.has('auto'))
  start({
    epochs: Number(params.get('epochs') ?? 5),
    neurons: Number(params.get('neurons') ?? 1000),
  });
