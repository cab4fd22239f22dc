/**
 * A curriculum over a built-in task's difficulty knob (its registry entry's `difficulty`, e.g.
 * the delay of a working-memory task), as PsychRNN users build by hand: epoch 1 trains at the
 * knob's easy value, and the value moves linearly to the run's own value (the task option, its
 * default or `--task-option`) at epoch `rampEpochs`; later epochs train at the run's value.
 * Every epoch's set is generated from the task's training seed with the same number of trials,
 * so a curriculum is as deterministic as the task; the test set is always the run's value.
 */
import type { Dataset } from '../data.js';
import { optionError, requireInt } from '../errors.js';
import { loadTask, TASK_INFO, taskInfo, type Task } from './index.js';

export interface TaskCurriculum {
  /** The option the curriculum moves, e.g. 'delay'. */
  option: string;
  /** Its value at epochs 1, 2, … rampEpochs (later epochs keep the last). */
  values: number[];
  /** The training set of epoch `epoch` (1-based), for `fit`'s `curriculum` option. */
  curriculum: (epoch: number) => Dataset;
}

/**
 * The curriculum of `task` (built by `loadTask`) that reaches the task's own difficulty after
 * `rampEpochs` epochs. `flag` names the option in errors (`--curriculum` in the CLI).
 */
export function taskCurriculum(
  task: Task,
  rampEpochs: number,
  flag = 'curriculum',
): TaskCurriculum {
  const knob = taskInfo(task.name).difficulty;
  if (knob === null) {
    const withKnob = TASK_INFO.filter((t) => t.difficulty !== null).map((t) => t.name);
    throw optionError(
      flag,
      rampEpochs,
      `needs a task with a difficulty knob, and ${task.name} has none`,
      `use one of ${withKnob.join(', ')}, or drop ${flag}`,
    );
  }
  requireInt(flag, rampEpochs, { min: 2, fix: `ramp over at least 2 epochs, e.g. ${flag} 5` });
  const { option, easy } = knob;
  const target = Number(task.options?.[option]);
  // Harder is the direction from the registry's easy value to its hard one.
  if ((target - easy) * Math.sign(knob.hard - easy) <= 0) {
    throw optionError(
      flag,
      rampEpochs,
      `ramps ${task.name}'s ${option} from ${easy} to the run's ${option} (=${target}), which is no harder`,
      `set a harder ${option} with --task-option ${option}=${knob.hard}, or drop ${flag}`,
    );
  }
  const whole = [easy, target, knob.hard].every(Number.isInteger);
  const values = Array.from({ length: rampEpochs }, (_, i) => {
    const v = easy + ((target - easy) * i) / (rampEpochs - 1);
    return whole ? Math.round(v) : v;
  });
  let last: { value: number; set: Dataset } | undefined; // epochs ask in order: keep one set
  const curriculum = (epoch: number) => {
    const value = values[Math.min(epoch, rampEpochs) - 1];
    if (value === target) return task.train;
    if (last?.value !== value) {
      // Only the training set is used: build the smallest test set beside it.
      const options = { ...task.options, [option]: value, testTrials: 1 };
      last = { value, set: loadTask(task.name, options).train };
    }
    return last.set;
  };
  return { option, values, curriculum };
}
