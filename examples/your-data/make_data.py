# Writes mydata.npz: 600 sequences of 20 steps with 3 noisy input channels. The class of a
# sequence is the channel with the largest mean: the network must integrate over time.
import numpy as np

rng = np.random.default_rng(0)
labels = rng.integers(0, 3, size=600)                # one class per sequence: 0, 1 or 2
x = rng.normal(0.0, 1.0, size=(600, 20, 3))          # [sequences, steps, inputs]
x[np.arange(600), :, labels] += 0.5                  # the labelled channel is a little higher
np.savez_compressed('mydata.npz', x=x.astype(np.float32), labels=labels)
print('wrote mydata.npz: x', x.shape, 'labels', labels.shape)
