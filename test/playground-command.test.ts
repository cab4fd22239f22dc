// The playground's "same run from the command line": every value stays one shell word.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the playground, without type declarations
import { cliCommand, fromSearch } from '../examples/playground/config.js';

/** The arguments a POSIX shell passes for `command`. */
const shellWords = (command: string) =>
  spawnSync('sh', ['-c', `printf '%s\\n' ${command}`], { encoding: 'utf8' }).stdout.split('\n');

describe('playground command line', () => {
  it('quotes task options and fields with spaces or quotes, so the shell sees the same values', () => {
    const config = fromSearch('#task=perceptual-decision&task.coherences=0.1, 0.2&neurons=40');
    config.taskOptions.note = "it's";
    const command: string = cliCommand(config);
    const words = shellWords(command);
    expect(words).toContain('coherences=0.1, 0.2');
    expect(words).toContain("note=it's");
    expect(words.slice(0, 5)).toEqual(['npx', 'sqrtk', 'train', '--task', 'perceptual-decision']);
    // Plain values are shown as they are.
    expect(command).toContain('--neurons 40');
  });
});
