/** Built-in tasks by name (used by the CLI). */
import { datasets, type Dataset } from '../data.js';
import { delayedMatchToSample } from './dms.js';
import { optionError } from '../errors.js';

export interface Task {
  name: string;
  description: string;
  train: Dataset;
  test: Dataset;
  inputs: number;
  outputs: number;
  loss: 'cross_entropy' | 'mse';
}

export const TASKS = ['digits', 'dms'] as const;

export function loadTask(name: string): Task {
  switch (name) {
    case 'digits': {
      const d = datasets.digits();
      return {
        name,
        description: d.description,
        train: d.train,
        test: d.test,
        inputs: 8,
        outputs: d.classes,
        loss: 'cross_entropy',
      };
    }
    case 'dms': {
      const train = delayedMatchToSample({ trials: 2000, delay: 20, noise: 0.3, seed: 1 });
      const test = delayedMatchToSample({ trials: 2000, delay: 20, noise: 0.3, seed: 2 });
      const description =
        'delayed match-to-sample: 8 stimuli, sample for 2 steps, 20 silent steps, test for 2 steps, ' +
        'then respond match / non-match (T = 25, 9 inputs, 2 classes, input noise ±0.3); ' +
        '2000 train / 2000 test trials';
      return { name, description, train, test, inputs: 9, outputs: 2, loss: 'cross_entropy' };
    }
    default:
      throw optionError(
        'task',
        name,
        `is not a built-in task; valid tasks: ${TASKS.join(', ')}`,
        'pick one of those',
      );
  }
}
