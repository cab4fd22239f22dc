// Saving, loading and resuming through the API; damaged files; memory stays flat.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  datasets,
  fit,
  init,
  liveNetworks,
  loadNetworkFile,
  readSaved,
  saveNetworkFile,
  SparseRNN,
  wasmMemoryBytes,
  type FitState,
} from '../ts/node/index.js';
import { startState } from '../ts/fit-state.js';

const small = { inputs: 8, outputs: 10, neurons: 150, k: 15, seed: 4 };

describe('save, load, resume', () => {
  beforeAll(() => init());

  it('a saved network loads exactly and trains on identically', async () => {
    const { train } = datasets.digits();
    using a = new SparseRNN({ ...small, growth: 'deep_r', mode: 'hidden' });
    await fit(a, train, { epochs: 1, rewireEvery: 10 });
    const bytes = a.save({ note: 'after one epoch' });
    using b = SparseRNN.load(bytes);
    expect(b.stateHash()).toBe(a.stateHash());
    expect(b.config).toEqual(a.config);
    expect(b.steps).toBe(a.steps);
    expect(readSaved(bytes).extra).toEqual({ note: 'after one epoch' });
    const [ha, hb] = [await fit(a, train, { epochs: 1 }), await fit(b, train, { epochs: 1 })];
    expect(b.stateHash()).toBe(a.stateHash());
    expect(hb.epochs).toEqual(ha.epochs.map((e) => ({ ...e, seconds: hb.epochs[0].seconds })));
  });

  it('an interrupted fit resumed from a checkpoint ends exactly where an uninterrupted one does', async () => {
    const { train, test } = datasets.digits();
    const options = { epochs: 3, batchSize: 64, rewireEvery: 5, validation: test };
    using reference = new SparseRNN({ ...small, growth: 'gradient' });
    const full = await fit(reference, train, options);

    for (const stopAt of [7, 23, 46]) {
      // 23 batches per epoch: checkpoints mid-epoch (7, 46) and at an epoch boundary (23).
      let saved: { bytes: Uint8Array; state: FitState } | undefined;
      using first = new SparseRNN({ ...small, growth: 'gradient' });
      const controller = new AbortController();
      await expect(
        fit(first, train, {
          ...options,
          signal: controller.signal,
          checkpointEvery: stopAt,
          onCheckpoint: (state) => {
            saved = { bytes: first.save({ fit: state }), state };
            controller.abort();
          },
        }),
      ).rejects.toMatchObject({ code: 'E_ABORTED' });
      using resumed = SparseRNN.load(saved!.bytes);
      const rest = await fit(resumed, train, {
        ...options,
        resume: (readSaved(saved!.bytes).extra as { fit: FitState }).fit,
      });
      expect(resumed.stateHash(), `stopped at step ${stopAt}`).toBe(reference.stateHash());
      expect(rest.epochs.map((e) => e.loss)).toEqual(full.epochs.map((e) => e.loss));
      expect(rest.rewires).toEqual(full.rewires);
      // Time spent before the interruption is carried over.
      expect(rest.trainSeconds).toBeGreaterThan(saved!.state.trainSeconds);
      expect(saved!.state.trainSeconds).toBeGreaterThan(0);
    }
  });

  it('refuses a resume state that does not match the network', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN(small);
    const state: FitState = { ...startState(net), epoch: 2, batch: 3 };
    await expect(fit(net, train, { checkpointEvery: 0 })).rejects.toThrow(
      /^checkpointEvery \(=0\) must be an integer >= 1/,
    );
    await expect(fit(net, train, { resume: state })).rejects.toThrow(
      /resume \(="epoch 2, batch 3"\) is 48 optimizer steps into training, but the network has taken 0/,
    );
  });

  it('saves and loads a chunk at a time: the same bytes, the same network, errors kept', () => {
    using net = new SparseRNN({ ...small, growth: 'sampled' });
    const chunks: Uint8Array[] = [];
    net.saveTo((chunk) => chunks.push(chunk.slice()), { epoch: 2 });
    const bytes = net.save({ epoch: 2 });
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), 'sqrtk-chunks-')), 'net.sqrtk');
    saveNetworkFile(path, net, { epoch: 2 });
    // Read back 7 bytes at a time: every field is split across reads somewhere.
    const { net: back, extra } = loadNetworkFile(path, 7);
    expect(back.stateHash()).toBe(net.stateHash());
    expect(extra).toEqual({ epoch: 2 });
    back.free();
    // A writer that fails (a full disk) stops the save with its own error, unchanged, and the
    // file saved before stays as it was.
    const full = Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    expect(() =>
      net.saveTo(() => {
        throw full;
      }),
    ).toThrow(full);
    using other = new SparseRNN({ ...small, seed: 5 });
    let calls = 0;
    const failing = Object.create(other, {
      saveTo: {
        value: (write: (c: Uint8Array) => void) =>
          other.saveTo((c) => {
            if (++calls > 1) throw full;
            write(c);
          }),
      },
    });
    expect(() => saveNetworkFile(path, failing)).toThrow(/cannot be written: the disk is full/);
    expect(calls).toBeGreaterThan(1);
    using kept = loadNetworkFile(path).net;
    expect(kept.stateHash()).toBe(net.stateHash());
  });

  it('damaged, foreign and future files give clear errors naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-files-'));
    using net = new SparseRNN(small);
    const good = join(dir, 'good.sqrtk');
    saveNetworkFile(good, net, { hello: 1 });
    const { net: back, extra } = loadNetworkFile(good);
    expect(back.stateHash()).toBe(net.stateHash());
    expect(extra).toEqual({ hello: 1 });
    back.free();

    const bytes = net.save();
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'truncated.sqrtk',
        bytes.subarray(0, bytes.length - 100),
        /truncated\.sqrtk: checksum mismatch: the file is truncated or corrupted/,
      ],
      ['tiny.sqrtk', bytes.subarray(0, 11), /tiny\.sqrtk: the file is truncated/],
      [
        'flipped.sqrtk',
        Uint8Array.from(bytes, (v, i) => (i === 500 ? v ^ 0x10 : v)),
        /flipped\.sqrtk: checksum mismatch/,
      ],
      [
        'future.sqrtk',
        Uint8Array.from(bytes, (v, i) => (i === 8 ? 2 : v)),
        /future\.sqrtk: format version 2 is not supported: this sqrtk reads version 1/,
      ],
      [
        'photo.png',
        Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]),
        /photo\.png: this is not a sqrtk network file/,
      ],
      ['empty.sqrtk', new Uint8Array(0), /empty\.sqrtk: this is not a sqrtk network file/],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      expect(() => loadNetworkFile(join(dir, name))).toThrow(message);
    }
    expect(() => loadNetworkFile(join(dir, 'missing.sqrtk'))).toThrow(
      /missing\.sqrtk: does not exist/,
    );
  });

  it('round-trips random small networks bit for bit (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          neurons: fc.integer({ min: 12, max: 80 }),
          k: fc.integer({ min: 2, max: 8 }),
          learned: fc.integer({ min: 0, max: 2 }),
          growth: fc.constantFrom('random', 'gradient', 'sampled', 'deep_r' as const),
          mode: fc.constantFrom('add', 'hidden' as const),
          initialState: fc.constantFrom('zero', 'random', 'learned' as const),
          seed: fc.nat(1000),
        }),
        (o) => {
          let net: SparseRNN;
          try {
            net = new SparseRNN({ inputs: 2, outputs: 3, ...o });
          } catch {
            return; // a configuration some neuron cannot satisfy: rejected with an error, not saved
          }
          const x = Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.sin(i));
          net.trainBatch({ x, shape: [4, 3, 2], labels: Int32Array.from([0, 1, 2, 0]) }, 0.01, 1);
          if (o.growth !== 'random') net.rewire(0.5);
          const bytes = net.save({ seed: o.seed });
          const back = SparseRNN.load(bytes);
          expect(back.stateHash()).toBe(net.stateHash());
          expect(back.save({ seed: o.seed })).toEqual(bytes);
          back.free();
          net.free();
        },
      ),
      { numRuns: 40, seed: 42 },
    );
  });

  it('a create / train / free loop keeps memory flat', () => {
    const x = Float32Array.from({ length: 8 * 8 * 8 }, (_, i) => Math.cos(i));
    const batch = {
      x,
      shape: [8, 8, 8] as [number, number, number],
      labels: Int32Array.from({ length: 8 }, (_, i) => i),
    };
    const cycle = () => {
      const net = new SparseRNN({ ...small, neurons: 400, k: 40, growth: 'gradient' });
      net.trainBatch(batch, 0.01, 1);
      net.rewire(0.3);
      net.free();
    };
    const before = liveNetworks();
    for (let i = 0; i < 5; i++) cycle(); // warm up the allocator
    const warm = wasmMemoryBytes();
    for (let i = 0; i < 40; i++) cycle();
    expect(wasmMemoryBytes()).toBe(warm);
    expect(liveNetworks()).toBe(before);
  });
});
