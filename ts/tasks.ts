/** Built-in tasks by name (used by the CLI). */
import { datasets, type Dataset } from './data.js';
import { optionError } from './errors.js';

export interface Task {
  name: string;
  description: string;
  train: Dataset;
  test: Dataset;
  inputs: number;
  outputs: number;
  loss: 'cross_entropy' | 'mse';
}

export const TASKS = ['digits'] as const;

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
    default:
      throw optionError(
        'task',
        name,
        `is not a built-in task; valid tasks: ${TASKS.join(', ')}`,
        'pick one of those',
      );
  }
}
