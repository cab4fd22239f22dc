import { describe, expect, it } from 'vitest';
import {
  dataError,
  fmt,
  optionError,
  rejectUnknownKeys,
  requireInt,
  requireNumber,
  requireOneOf,
  SqrtkError,
} from '../ts/errors.js';

function thrown(fn: () => unknown): SqrtkError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SqrtkError);
    return err as SqrtkError;
  }
  throw new Error('expected a SqrtkError');
}

describe('SqrtkError', () => {
  it('has a name, a code and a cause', () => {
    const cause = new Error('inner');
    const err = new SqrtkError('E_STATE', 'model was freed', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SqrtkError');
    expect(err.code).toBe('E_STATE');
    expect(err.message).toBe('model was freed');
    expect(err.cause).toBe(cause);
  });
});

describe('messages', () => {
  it('optionError names option, value, rule and fix', () => {
    const err = optionError('k', 1200, 'must be < neurons (=1000)', 'lower k or raise neurons');
    expect(err.code).toBe('E_OPTION');
    expect(err.message).toBe('k (=1200) must be < neurons (=1000); lower k or raise neurons');
  });

  it('dataError has code E_DATA', () => {
    const err = dataError('train.x', 'oops', 'must be a Float32Array', 'convert it');
    expect(err.code).toBe('E_DATA');
    expect(err.message).toBe('train.x (="oops") must be a Float32Array; convert it');
  });

  it('fmt quotes strings, prints NaN/Infinity and shortens arrays', () => {
    expect(fmt('adam')).toBe('"adam"');
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(-Infinity)).toBe('-Infinity');
    expect(fmt(undefined)).toBe('undefined');
    expect(fmt(null)).toBe('null');
    expect(fmt([1, 2])).toBe('[1, 2]');
    expect(fmt([1, 2, 3, 4, 5, 6])).toBe('[1, 2, 3, 4, … 6 items]');
    expect(fmt(new Float32Array(1000))).toBe('Float32Array[0, 0, 0, 0, … 1000 items]');
    expect(fmt({ a: 1 })).toBe('{"a":1}');
    expect(fmt('x'.repeat(500)).length).toBeLessThan(70);
    // A binary file read as text: 300 MB of NULs would escape to 1.8 GB of "\u0000" if whole.
    expect(fmt('\0'.repeat(300_000_000))).toBe(`${JSON.stringify('\0'.repeat(60)).slice(0, 60)}…"`);
    expect(fmt('ab')).toBe('"ab"');
  });
});

describe('validators', () => {
  it('requireInt', () => {
    expect(requireInt('epochs', 3, { min: 1, fix: 'f' })).toBe(3);
    expect(thrown(() => requireInt('epochs', 0, { min: 1, fix: 'use 1 or more' })).message).toBe(
      'epochs (=0) must be an integer >= 1; use 1 or more',
    );
    expect(thrown(() => requireInt('k', 2.5, { min: 1, max: 10, fix: 'f' })).message).toBe(
      'k (=2.5) must be an integer from 1 to 10; f',
    );
    expect(thrown(() => requireInt('k', '3', { min: 1, fix: 'f' })).code).toBe('E_OPTION');
  });

  it('requireNumber', () => {
    expect(requireNumber('lr', 0.1, { min: 0, exclusiveMin: true, fix: 'f' })).toBe(0.1);
    expect(thrown(() => requireNumber('lr', 0, { exclusiveMin: 0, fix: 'f' })).message).toBe(
      'lr (=0) must be a finite number > 0; f',
    );
    expect(
      thrown(() => requireNumber('lr', 0, { min: 0, exclusiveMin: true, fix: 'f' })).message,
    ).toContain('> 0');
    expect(thrown(() => requireNumber('p', 2, { min: 0, max: 1, fix: 'f' })).message).toBe(
      'p (=2) must be a finite number >= 0 and <= 1; f',
    );
    expect(thrown(() => requireNumber('g', NaN, { fix: 'f' })).message).toBe(
      'g (=NaN) must be a finite number; f',
    );
    expect(thrown(() => requireNumber('g', Infinity, { fix: 'f' })).message).toContain('Infinity');
  });

  it('requireOneOf lists the choices', () => {
    const choices = ['adam', 'sgd'] as const;
    const v: 'adam' | 'sgd' = requireOneOf('optimizer', 'sgd', choices);
    expect(v).toBe('sgd');
    const err = thrown(() => requireOneOf('optimizer', 'adamw', choices));
    expect(err.code).toBe('E_OPTION');
    expect(err.message).toContain('optimizer (="adamw")');
    expect(err.message).toContain('"adam", "sgd"');
  });

  it('rejectUnknownKeys names the key, suggests and lists the allowed ones', () => {
    const allowed = ['epochs', 'lr', 'batchSize'];
    expect(() => rejectUnknownKeys('fit options', { epochs: 1, lr: 0.1 }, allowed)).not.toThrow();
    const err = thrown(() => rejectUnknownKeys('fit options', { epochs: 1, bachSize: 8 }, allowed));
    expect(err.code).toBe('E_OPTION');
    expect(err.message).toBe(
      'fit options.bachSize (=8) is not a known key; did you mean "batchSize"? ' +
        'allowed keys: epochs, lr, batchSize',
    );
    const far = thrown(() => rejectUnknownKeys('opts', { zzzzzz: 1 }, allowed, 'E_DATA'));
    expect(far.code).toBe('E_DATA');
    expect(far.message).not.toContain('did you mean');
    expect(far.message).toContain('zzzzzz');
  });
});
