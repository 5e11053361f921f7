"""LeNet-300-100 on MNIST: which registered network this package runs.

The network, its presets (the paper's and the TF1 reference code's) and its
paper numbers are the registry entry lottery/networks/lenet.py.
"""

NETWORKS = ('lenet300_100',)
