"""Conv-2/4/6 on CIFAR-10: which registered networks this package runs (the first is the default).

The networks, their presets (the paper's, and its dropout variant) and paper
numbers are the registry entries in lottery/networks/conv.py.
"""

NETWORKS = ('conv2', 'conv4', 'conv6')
