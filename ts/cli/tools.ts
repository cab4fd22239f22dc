/** `sqrtk export` and `sqrtk report`: turn a finished run directory into files for others. */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireOneOf, SqrtkError } from '../errors.js';
import { EXPORT_FORMATS, exportNetwork, type ExportFormat } from '../output/export.js';
import { loadNetworkFile } from '../node/files.js';
import { buildReport } from '../output/report.js';
import { writeFileAtomic } from '../node/atomic.js';
import { loadTask } from '../tasks/index.js';
import { takeBatch } from '../data.js';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SqrtkError(
      'E_IO',
      `${path}: cannot be read as JSON (${(cause as Error).message}); is this a finished run directory?`,
      { cause },
    );
  }
}

/** Writes DIR/export/<files> for `format` from DIR/model.sqrtk. */
export function exportRun(dir: string, format: string): string[] {
  requireOneOf('format', format, EXPORT_FORMATS);
  const { net } = loadNetworkFile(join(dir, 'model.sqrtk'));
  try {
    const out = join(dir, 'export');
    mkdirSync(out, { recursive: true });
    const files = exportNetwork(net, format as ExportFormat);
    for (const [name, bytes] of Object.entries(files)) writeFileAtomic(join(out, name), bytes);
    return Object.keys(files).map((name) => join(out, name));
  } finally {
    net.free();
  }
}

/** Writes DIR/report.html from the run's files. */
export function reportRun(dir: string): string {
  const config = readJson(join(dir, 'config.json')) as { cli?: { task?: string } };
  const summary = readJson(join(dir, 'summary.json')) as Record<string, unknown>;
  const rewires = readJson(join(dir, 'rewires.json')) as never[];
  const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const { net } = loadNetworkFile(join(dir, 'model.sqrtk'));
  try {
    const task = config.cli?.task ? loadTask(config.cli.task) : undefined;
    const sample = task ? takeBatch(task.test, [0, 1, 2, 3]) : undefined;
    const html = buildReport({
      title: `sqrtk run: ${dir}`,
      net,
      metrics,
      rewires,
      sample,
      summary,
    });
    const path = join(dir, 'report.html');
    writeFileAtomic(path, html);
    return path;
  } finally {
    net.free();
  }
}
