// taskCurriculum: a built-in task's difficulty knob ramps from easy to the run's value.
import { describe, expect, it } from 'vitest';
import { loadTask } from '../ts/tasks/index.js';
import { taskCurriculum } from '../ts/tasks/curriculum.js';
import { thrown } from './helpers.js';

describe('taskCurriculum', () => {
  it('ramps dms delay 2 → 20 over 4 epochs, each epoch the set loadTask gives at that delay', () => {
    const task = loadTask('dms');
    const { option, values, curriculum } = taskCurriculum(task, 4);
    expect(option).toBe('delay');
    expect(values).toEqual([2, 8, 14, 20]);
    const first = curriculum(1);
    expect(first.shape).toEqual([task.train.shape[0], 2 + 2 + 2 + 1, 9]); // sample, delay, test, cue
    expect(first.x).toEqual(loadTask('dms', { delay: 2 }).train.x);
    expect(curriculum(2).x).toEqual(loadTask('dms', { delay: 8 }).train.x);
    expect(curriculum(4)).toBe(task.train); // the run's own set from the ramp's end on
    expect(curriculum(9)).toBe(task.train);
  });

  it('keeps fractional knobs fractional, and follows the run’s own value', () => {
    const task = loadTask('perceptual-decision', { noise: 0.8, trials: 40, testTrials: 10 });
    const { option, values } = taskCurriculum(task, 3);
    expect(option).toBe('noise');
    expect(values.map((v) => v.toFixed(3))).toEqual(['0.200', '0.500', '0.800']);
  });

  it('refuses a task without a knob, a ramp under 2 epochs, and a run no harder than easy', () => {
    const digits = thrown(() => taskCurriculum(loadTask('digits'), 5, '--curriculum'));
    expect(digits.message).toMatch(
      /^--curriculum \(=5\) needs a task with a difficulty knob, and digits has none; use one of dms, /,
    );
    expect(thrown(() => taskCurriculum(loadTask('dms'), 1, '--curriculum')).message).toMatch(
      /^--curriculum \(=1\) must be an integer >= 2/,
    );
    const easy = thrown(() => taskCurriculum(loadTask('dms', { delay: 2 }), 3, '--curriculum'));
    expect(easy.message).toBe(
      "--curriculum (=3) ramps dms's delay from 2 to the run's delay (=2), which is no harder; set a harder delay with --task-option delay=20, or drop --curriculum",
    );
  });
});
