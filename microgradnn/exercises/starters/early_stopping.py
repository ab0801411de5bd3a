"""Exercise early_stopping: when does training stop, and which epoch was best?

Check it with:  python -m microgradnn exercises check early_stopping early_stopping.py
"""

import math


def early_stopping(val_losses, patience, min_delta=0.0):
    best = math.inf
    best_epoch = None
    wait = 0
    for epoch, loss in enumerate(val_losses):
        pass  # TODO: improve or wait; return (epoch, best_epoch) when it is time to stop
    return None, best_epoch
