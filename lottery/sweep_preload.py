"""Imported by each embedded Ray worker as it starts (Ray's preload_python_modules).

Ray starts its workers as the driver joins the node, at the end of ray.init(),
so starting TensorFlow (single-threaded, deterministic, as every sweep task
runs) and importing the level loop here takes that start-up off the first task.
"""

from lottery import sweep_worker

sweep_worker.warm_up()
