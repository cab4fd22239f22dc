// The task generators: deterministic for a seed, shapes, labels and masks that follow each
// file's documented periods, the registry and loadTask, and option errors.
import { describe, expect, it } from 'vitest';
import {
  FIXATE_WEIGHT,
  loadTask,
  RESPONSE_WEIGHT,
  TASK_INFO,
  TASKS,
  tasks,
} from '../ts/tasks/index.js';
import { loadTaskFromFlags, parseTaskOptions, taskOptionPairs } from '../ts/tasks/options.js';
import { validateDataset, type Dataset } from '../ts/data.js';
import { datasetHash } from './task-hash.js';
import { thrown } from './helpers.js';

type Generator = (o: { trials: number; seed: number; noise?: number }) => Dataset;
const generators = Object.entries(tasks) as [string, Generator][];

/** Per-step label tasks: [generator, classes, response start, steps] at default options. */
const STEP_TASKS: [keyof typeof tasks, number, number, number][] = [
  ['perceptualDecision', 3, 12, 15],
  ['contextDependent', 3, 12, 15],
  ['delayedNonMatchToSample', 2, 14, 17],
  ['parametricWorkingMemory', 3, 12, 15],
  ['goNoGo', 2, 6, 9],
  ['proAnti', 5, 6, 9],
];

const at = (d: Dataset, b: number, t: number, c: number) =>
  d.x[(b * d.shape[1] + t) * d.shape[2] + c];
const label = (d: Dataset, b: number, t: number) => d.labels![b * d.shape[1] + t];

describe('task generators', () => {
  it.each(generators)('%s: same seed, same bytes; another seed, other bytes', (_, make) => {
    const a = make({ trials: 40, seed: 7 });
    expect(datasetHash(make({ trials: 40, seed: 7 }))).toBe(datasetHash(a));
    expect(datasetHash(make({ trials: 40, seed: 8 }))).not.toBe(datasetHash(a));
    const [b, t, d] = a.shape;
    expect(b).toBe(40);
    expect(a.x.length).toBe(b * t * d);
    for (const v of a.x) expect(Number.isFinite(v)).toBe(true);
  });

  it('keeps the dms data of `--task dms` byte-identical to the first release', () => {
    const dms = loadTask('dms');
    expect(datasetHash(dms.train)).toBe('37d21aec');
    expect(datasetHash(dms.test)).toBe('d71a7131');
    expect(datasetHash(tasks.delayedMatchToSample({ trials: 50 }))).toBe('211b24f5');
    expect(dms.train.shape).toEqual([2000, 25, 9]);
    expect(dms.train.labels!.length).toBe(2000);
  });

  it.each(STEP_TASKS)(
    '%s: fixation, then the answer in the response period',
    (name, classes, response, steps) => {
      const d = (tasks[name] as Generator)({ trials: 60, seed: 3 });
      const [b, t] = d.shape;
      expect(t).toBe(steps);
      expect(d.labels!.length).toBe(b * t);
      expect(d.mask!.length).toBe(b * t);
      const answers = new Set<number>();
      for (let s = 0; s < b; s++)
        for (let step = 0; step < t; step++) {
          const before = step < response;
          expect(at(d, s, step, 0)).toBe(before ? 1 : 0); // the fixation cue, without noise
          expect(d.mask![s * t + step]).toBe(before ? FIXATE_WEIGHT : RESPONSE_WEIGHT);
          if (before) expect(label(d, s, step)).toBe(0);
          else {
            expect(label(d, s, step)).toBe(label(d, s, response)); // one answer per trial
            answers.add(label(d, s, step));
          }
        }
      for (const c of answers) expect(c >= 0 && c < classes).toBe(true);
      expect(answers.size).toBeGreaterThanOrEqual(2);
    },
  );

  it('perceptualDecision: the label is the stronger channel; coherences cycle over trials', () => {
    const coherences = [0, 50, 100];
    const d = tasks.perceptualDecision({ trials: 30, coherences, noise: 0, seed: 1 });
    for (let s = 0; s < 30; s++) {
      const [one, two] = [at(d, s, 5, 1), at(d, s, 5, 2)];
      expect(one - two).toBeCloseTo(
        (label(d, s, 12) === 1 ? 1 : -1) * (coherences[s % 3] / 100),
        6,
      );
      expect(at(d, s, 1, 1)).toBe(0); // nothing during fixation
    }
  });

  it('contextDependent: the answer is the sign of the cued stream, whatever the other says', () => {
    const d = tasks.contextDependent({ trials: 200, noise: 0, seed: 2 });
    let disagree = 0;
    for (let s = 0; s < 200; s++) {
      const [motion, colour] = [at(d, s, 4, 1), at(d, s, 4, 2)];
      const context = at(d, s, 0, 3) === 1 ? 0 : 1;
      expect(at(d, s, 0, 3) + at(d, s, 0, 4)).toBe(1);
      const cued = context === 0 ? motion : colour;
      expect(label(d, s, 12)).toBe(cued > 0 ? 1 : 2);
      if (Math.sign(motion) !== Math.sign(colour)) disagree++;
    }
    expect(disagree).toBeGreaterThan(60);
  });

  it('delayedNonMatchToSample: respond exactly when the test differs from the sample', () => {
    const d = tasks.delayedNonMatchToSample({ trials: 100, noise: 0, seed: 5 });
    for (let s = 0; s < 100; s++) {
      const onehot = (step: number) =>
        [...Array(8).keys()].find((c) => at(d, s, step, 1 + c) === 1);
      expect(label(d, s, 14)).toBe(onehot(2) === onehot(12) ? 0 : 1);
    }
  });

  it('parametricWorkingMemory: class 1 when f1 > f2; |f1 − f2| is the difference', () => {
    const d = tasks.parametricWorkingMemory({ trials: 100, noise: 0, seed: 4 });
    for (let s = 0; s < 100; s++) {
      const [f1, f2] = [at(d, s, 2, 1), at(d, s, 10, 1)];
      expect(Math.abs(f1 - f2)).toBeCloseTo(8 / 24, 6);
      expect(label(d, s, 12)).toBe(f1 > f2 ? 1 : 2);
    }
  });

  it('goNoGo and proAnti: withhold on no-go; toward the stimulus on pro, away on anti', () => {
    const g = tasks.goNoGo({ trials: 50, noise: 0, seed: 1 });
    for (let s = 0; s < 50; s++) expect(label(g, s, 6)).toBe(at(g, s, 2, 1) === 1 ? 1 : 0);
    const p = tasks.proAnti({ trials: 80, noise: 0, seed: 1 });
    for (let s = 0; s < 80; s++) {
      const location = [0, 1, 2, 3].find((c) => at(p, s, 2, 3 + c) === 1)!;
      const anti = at(p, s, 8, 2) === 1;
      expect(at(p, s, 8, 1) + at(p, s, 8, 2)).toBe(1); // the rule cue is on to the end
      expect(label(p, s, 6)).toBe(1 + (anti ? (location + 2) % 4 : location));
    }
  });

  it('readySetGo: the target ramps from set to 1 at set + ts and holds', () => {
    const d = tasks.readySetGo({ trials: 50, noise: 0, seed: 6 });
    const [b, t] = d.shape;
    expect(t).toBe(21);
    expect(d.targets!.length).toBe(b * t);
    for (let s = 0; s < b; s++) {
      expect(at(d, s, 2, 0)).toBe(1); // ready
      const set = [...Array(t).keys()].find((step) => at(d, s, step, 1) === 1)!;
      const ts = set - 2;
      expect(ts >= 4 && ts <= 8).toBe(true);
      const y = (step: number) => d.targets![s * t + step];
      expect(y(set)).toBe(0);
      expect(y(set + ts)).toBe(1);
      expect(y(set + 1)).toBeCloseTo(1 / ts, 6);
      expect(y(t - 1)).toBe(1);
      for (let step = 0; step < t; step++) expect(d.mask![s * t + step]).toBe(1);
    }
  });

  it('flipFlop: each output holds the sign of the last pulse on its channel', () => {
    const d = tasks.flipFlop({ trials: 30, seed: 2 });
    const [b, t, bits] = d.shape;
    let pulses = 0;
    for (let s = 0; s < b; s++)
      for (let k = 0; k < bits; k++) {
        let held = 0;
        for (let step = 0; step < t; step++) {
          const v = at(d, s, step, k);
          if (v !== 0) [held, pulses] = [v, pulses + 1];
          expect(Math.abs(v) === 1 || v === 0).toBe(true);
          expect(d.targets![(s * t + step) * bits + k]).toBe(held);
        }
      }
    expect(pulses).toBeGreaterThan(0.1 * b * t * bits);
  });
});

describe('task options', () => {
  it('rejects bad options with the option name, value, rule and fix', () => {
    expect(thrown(() => tasks.goNoGo({ trials: 0 })).message).toBe(
      'trials (=0) must be an integer >= 1; use e.g. trials: 1000',
    );
    expect(thrown(() => tasks.proAnti({ directions: 3 })).message).toMatch(
      /directions \(=3\) must be even/,
    );
    const typo = thrown(() => tasks.perceptualDecision({ coherence: [1] } as never));
    expect(typo.code).toBe('E_OPTION');
    expect(typo.message).toMatch(
      /perceptualDecision options.coherence .*did you mean "coherences"/,
    );
    expect(thrown(() => tasks.perceptualDecision({ coherences: [] })).message).toMatch(
      /coherences/,
    );
    expect(thrown(() => tasks.perceptualDecision({ coherences: [10, 200] })).message).toMatch(
      /coherences\[1\] \(=200\) must be a finite number >= 0 and <= 100/,
    );
    expect(thrown(() => tasks.readySetGo({ intervals: [2.5] })).message).toMatch(/whole number/);
    expect(thrown(() => tasks.parametricWorkingMemory({ difference: 20 })).message).toMatch(
      /half the range/,
    );
    expect(thrown(() => tasks.flipFlop({ seed: -1 })).code).toBe('E_OPTION');
    expect(thrown(() => loadTask('nope')).message).toMatch(
      /valid tasks: digits, digits-pixels, dms, dnms/,
    );
    expect(thrown(() => loadTask('dnms', { dealy: 3 })).message).toMatch(/did you mean "delay"/);
  });

  it('--task-option: typed by the defaults; unknown key, bad value or missing "=" name the flag', () => {
    expect(parseTaskOptions('perceptual-decision', ['coherences=0,25.6', 'delay=3'])).toEqual({
      coherences: [0, 25.6],
      delay: 3,
    });
    const cases = ['delya=3', 'delay', 'delay=soon', 'coherences=1,,2'];
    for (const pair of cases) {
      const e = thrown(() => parseTaskOptions('perceptual-decision', [pair]));
      expect(e.code).toBe('E_OPTION');
      expect(e.message).toContain(`--task-option (=${JSON.stringify(pair)})`);
      expect(e.message).toContain('valid keys for perceptual-decision: trials, testTrials');
    }
    const range = thrown(() => loadTaskFromFlags('dnms', ['delay=-2']));
    expect(range.message).toBe(
      '--task-option (="delay=-2"): delay must be an integer >= 0; use e.g. --task-option delay=8 ' +
        '(valid keys for dnms: trials, testTrials, stimuli, delay, noise, seed)',
    );
    expect(thrown(() => loadTaskFromFlags('digits', ['delay=2'])).message).toMatch(
      /has no options/,
    );
  });
});

describe('digits tasks', () => {
  it('digits-pixels: the digits images read one pixel per step (T = 64, 1 input)', () => {
    const rows = loadTask('digits');
    const pixels = loadTask('digits-pixels');
    expect(pixels.train.shape).toEqual([1437, 64, 1]);
    expect(pixels.test.shape).toEqual([360, 64, 1]);
    expect([pixels.inputs, pixels.outputs, pixels.loss]).toEqual([1, 10, 'cross_entropy']);
    expect(pixels.train.labels).toEqual(rows.train.labels);
    // Pixel (row r, column c) of image b is the input of step 8r + c.
    for (const [set, same] of [
      [pixels.train, rows.train],
      [pixels.test, rows.test],
    ] as const)
      for (const [b, r, c] of [
        [0, 0, 0],
        [5, 3, 4],
        [set.shape[0] - 1, 7, 7],
      ])
        expect(at(set, b, 8 * r + c, 0)).toBe(at(same, b, r, c));
    expect(datasetHash(pixels.test)).toBe(datasetHash(rows.test)); // same bytes, another shape
    expect(thrown(() => loadTask('digits-pixels', { trials: 10 })).message).toMatch(/trials/);
  });
});

describe('registry and loadTask', () => {
  it('describes every task and builds train and test sets from different seeds', () => {
    expect(TASKS).toEqual(TASK_INFO.map((t) => t.name));
    expect(TASKS.length).toBe(11);
    for (const info of TASK_INFO) {
      expect(info.description.length).toBeGreaterThan(20);
      expect(info.reference).toMatch(/\d{4}/);
      if (info.difficulty) expect(Object.keys(info.options)).toContain(info.difficulty.option);
      if (info.name.startsWith('digits')) continue;
      const task = loadTask(info.name, { trials: 20, testTrials: 10 });
      expect(task.train.shape[0]).toBe(20);
      expect(task.test.shape[0]).toBe(10);
      expect(task.loss).toBe(info.loss);
      expect(task.inputs).toBe(task.train.shape[2]);
      if (task.loss === 'mse')
        expect(task.train.targets!.length / (20 * task.train.shape[1])).toBe(task.outputs);
      else for (const c of task.train.labels!) expect(c < task.outputs).toBe(true);
      const again = loadTask(info.name, { trials: 10, testTrials: 10 });
      expect(datasetHash(again.train)).not.toBe(datasetHash(again.test));
      // The recorded options rebuild the same sets (what --resume and the report do).
      const rebuilt = loadTaskFromFlags(info.name, taskOptionPairs(task.options!));
      expect(datasetHash(rebuilt.test)).toBe(datasetHash(task.test));
    }
  });
});

describe('task variables (conditions)', () => {
  /** The label of the response period (per-step tasks) or of the trial. */
  const answer = (d: Dataset, b: number) => {
    const [, steps] = d.shape;
    return d.labels!.length === d.shape[0] ? d.labels![b] : d.labels![b * steps + steps - 1];
  };

  it('every built-in task records its trial variables, consistent with its labels', () => {
    for (const name of TASKS) {
      const { test } = loadTask(name, name.startsWith('digits') ? {} : { testTrials: 60 });
      const c = test.conditions!;
      expect(Object.keys(c).length, name).toBeGreaterThan(0);
      for (const values of Object.values(c)) expect(values).toHaveLength(test.shape[0]);
    }
    const pd = tasks.perceptualDecision({ trials: 50, coherences: [10, 20] });
    for (let b = 0; b < 50; b++) {
      const c = pd.conditions!;
      expect(answer(pd, b)).toBe(c.direction[b] > 0 ? 1 : 2);
      expect(c.coherence[b]).toBe([10, 20][b % 2]);
      expect(c.evidence[b]).toBe(c.direction[b] * c.coherence[b]);
    }
    const dms = tasks.delayedMatchToSample({ trials: 50 });
    for (let b = 0; b < 50; b++) {
      const c = dms.conditions!;
      expect(c.match[b]).toBe(c.sample[b] === c.test[b] ? 1 : 0);
      expect(dms.labels![b]).toBe(c.match[b]);
    }
    const cd = tasks.contextDependent({ trials: 50 });
    for (let b = 0; b < 50; b++) {
      const c = cd.conditions!;
      const cued = c.context[b] === 0 ? c.motion[b] : c.colour[b];
      expect(answer(cd, b)).toBe(cued > 0 ? 1 : 2);
    }
    const romo = tasks.parametricWorkingMemory({ trials: 50 });
    for (let b = 0; b < 50; b++)
      expect(answer(romo, b)).toBe(romo.conditions!.f1[b] > romo.conditions!.f2[b] ? 1 : 2);
    const ff = tasks.flipFlop({ trials: 20 });
    const [, steps, bits] = ff.shape;
    for (let b = 0; b < 20; b++)
      for (let k = 0; k < bits; k++)
        expect(ff.conditions![`bit${k}`][b]).toBe(ff.targets![(b * steps + steps - 1) * bits + k]);
    const { test } = loadTask('digits');
    expect(Array.from(test.conditions!.digit)).toEqual(Array.from(test.labels!));
  });

  it('are checked: one finite Float64Array value per sequence', () => {
    const d = tasks.goNoGo({ trials: 4 });
    const expect3 = { inputs: d.shape[2], outputs: 2, loss: 'cross_entropy' as const };
    const bad = (conditions: unknown) =>
      thrown(() => validateDataset('train', { ...d, conditions } as Dataset, expect3)).message;
    expect(bad({ go: [1, 0, 1, 0] })).toMatch(/^train\.conditions\.go .* must be a Float64Array/);
    expect(bad({ go: new Float64Array(3) })).toMatch(
      /^train\.conditions\.go\.length \(=3\) must equal B \(=4\)/,
    );
    expect(bad({ go: Float64Array.of(0, NaN, 0, 0) })).toMatch(
      /^train\.conditions\.go\[1\] \(=NaN\) must be finite/,
    );
    expect(bad(null)).toMatch(/^train\.conditions .* must be an object of task variables/);
  });
});
