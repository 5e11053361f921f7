"""Imported by each embedded Ray worker as it starts (Ray's preload_python_modules).

The raylet starts its workers as soon as it is up, while ray.init() is still
running, so starting TensorFlow (single-threaded, deterministic, as every sweep task
runs) and importing the level loop here takes that start-up off the first task.
"""

from lottery.sweep import worker

worker.warm_up()
