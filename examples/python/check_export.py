# Runs a network exported by sqrtk in NumPy + SciPy (and in PyTorch, if it is installed) and
# checks that it gives the same outputs as sqrtk did (check.json, from export_for_python.mjs).
import json
import numpy as np
import scipy.sparse as sp

net = np.load('network.npz')
config = json.load(open('config.json'))
check = json.load(open('check.json'))
B, T, D = check['shape']
x = np.array(check['x'], dtype=np.float64).reshape(B, T, D)
expected = np.array(check['outputs']).reshape(B, T, config['outputs'])

# The recurrent weights: row i holds the synapses into neuron i (from neuron indices[e]).
W = sp.csr_matrix((net['data'], net['indices'], net['indptr']), shape=(config['neurons'],) * 2)
print(f"{W.nnz} synapses, of which {int(net['learned'].sum())} learned")

# The dynamics (README, "How it works"):
#   x_t = (1 - a) x_{t-1} + a (W r_{t-1} + W_in u_t + b),  r_t = phi(x_t),  y_t = W_out r_t + b_out
# with a = 1 for 'discrete' dynamics and a = dt / tau for 'rate' dynamics.
a = 1.0 if config['dynamics'] == 'discrete' else config['dt'] / config['tau']
phi = np.tanh if config['activation'] == 'tanh' else (lambda v: np.maximum(v, 0.0))


def run_numpy(u):
    state = np.zeros((config['neurons'], u.shape[0]))      # [neurons, batch]
    outputs = []
    for t in range(u.shape[1]):
        drive = W @ phi(state) + net['w_in'] @ u[:, t, :].T + net['bias'][:, None]
        state = (1 - a) * state + a * drive
        outputs.append((net['w_out'] @ phi(state)).T + net['b_out'])
    return np.stack(outputs, axis=1)                         # [batch, steps, outputs]


got = run_numpy(x)
print('NumPy/SciPy: largest difference from sqrtk', np.abs(got - expected).max())
assert np.allclose(got, expected, atol=1e-4), 'NumPy outputs differ from sqrtk'

try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print('PyTorch: not installed, skipped (pip install torch to run this part)')
else:
    import warnings
    warnings.filterwarnings('ignore', message='Sparse CSR tensor support is in beta')  # it works
    # sqrtk stores each row's backbone synapses first, then its learned ones, so partners are
    # not sorted within a row. PyTorch's CSR tensors require sorted rows: sort them first.
    Ws = W.sorted_indices()
    Wt = torch.sparse_csr_tensor(torch.tensor(Ws.indptr, dtype=torch.int64),
                                 torch.tensor(Ws.indices, dtype=torch.int64),
                                 torch.tensor(Ws.data, dtype=torch.float64),
                                 size=W.shape, check_invariants=True)
    tensors = {k: torch.tensor(net[k], dtype=torch.float64) for k in ['w_in', 'bias', 'w_out', 'b_out']}
    act = torch.tanh if config['activation'] == 'tanh' else torch.relu
    u = torch.tensor(x)
    state = torch.zeros(config['neurons'], B, dtype=torch.float64)
    outs = []
    for t in range(T):
        drive = Wt @ act(state) + tensors['w_in'] @ u[:, t, :].T + tensors['bias'][:, None]
        state = (1 - a) * state + a * drive
        outs.append((tensors['w_out'] @ act(state)).T + tensors['b_out'])
    got_torch = torch.stack(outs, dim=1).numpy()
    print('PyTorch: largest difference from sqrtk', np.abs(got_torch - expected).max())
    assert np.allclose(got_torch, expected, atol=1e-4), 'PyTorch outputs differ from sqrtk'

print('the exported network gives the same outputs as sqrtk')
