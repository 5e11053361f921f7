"""Speed benchmark: ms per training step and per validation+test evaluation.

  python -m lottery bench                         # LeNet, 1 and 2 threads
  python -m lottery bench --networks=lenet300_100,conv2,conv4,conv6

Each (network, threads) pair runs in its own process, because TensorFlow's
thread pools are fixed once the runtime starts. Steps are timed exactly as the
trainer runs them (one tf.function call per chunk of steps); inputs are
random arrays of the real shapes (5,000 validation + 10,000 test examples),
since speed does not depend on pixel values. Prints medians and the projected
hours of one full level under the paper's protocol; with --full_level it also
trains one whole level (`foundations.trainer.train`: every step and every
evaluation, on 55,000 random training examples) and prints its measured time.
"""

import json
import subprocess
import sys
import time

from absl import flags

from foundations import cli


def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_list('networks', ['lenet300_100'], 'Networks to time (registry names: '
                    'lenet300_100, conv2, conv4, conv6).', flag_values=fv)
  flags.DEFINE_list('threads', ['1', '2'], 'Thread counts to time.', flag_values=fv)
  flags.DEFINE_integer('repeats', 15, 'Timed repetitions (medians are reported).', flag_values=fv)
  flags.DEFINE_string('worker', None, 'Internal: time this network in this process.',
                      flag_values=fv)
  flags.DEFINE_boolean('full_level', False, 'Also time one whole level of the fully-connected '
                       'nets (50,000 steps and 501 evaluations at the paper preset: minutes).',
                       flag_values=fv)
  return fv


def network_and_hparams(name):
  """(registered Network, its paper Desc, input shape of one example)."""
  from lottery import networks  # pylint: disable=g-import-not-at-top
  network = networks.get(name)
  desc = next(iter(network.presets(0.0).values()))
  first = network.shapes[next(iter(network.shapes))]
  shape = (first[0],) if network.flatten else (32, 32, first[2])
  return network, desc, shape


def time_network(name, threads, repeats, full_level=False):
  """Returns dict(step_ms, eval_ms, ...) measured in this process."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(threads)
  tf.config.threading.set_inter_op_parallelism_threads(threads)
  from datasets.pipeline import DataSplits  # pylint: disable=g-import-not-at-top
  from foundations import trainer  # pylint: disable=g-import-not-at-top

  network, desc, shape = network_and_hparams(name)
  hp = desc.training
  rng = np.random.RandomState(0)

  def fake(n):
    return rng.rand(n, *shape).astype(np.float32), rng.randint(0, 10, n).astype(np.int32)

  splits = DataSplits(*fake(55000 if network.flatten else 6000), *fake(5000), *fake(10000))
  compiled = trainer.CompiledTraining(network.build(0, desc.model.dropout), hp,
                                      network.eval_batch_size, network.jit_compile)
  order = trainer.IndexStream(splits.train_order(seed=0))
  x_all, y_all = splits.train_arrays()
  eval_sets = splits.eval_sets()

  def chunk(steps):
    return compiled.train_chunk(order.take(steps, hp.batch_size), x_all, y_all)

  def evaluate():
    return compiled.evaluate(eval_sets)

  steps = hp.eval_every if network.flatten else 5  # the trainer's chunk: one per evaluation
  chunk(steps)  # trace, compile, warm up
  evaluate()
  # Each repeat times the matmul rate, a chunk of steps and an evaluation back to back, so every
  # figure is set against the rate of the same moment (this machine's speed drifts by tens of
  # percent from minute to minute); the ratios are the medians of the per-repeat ratios.
  step_times, eval_times, rates = [], [], []
  for _ in range(repeats):
    rates.append(matmul_gflops(3))
    start = time.perf_counter()
    float(chunk(steps)[0])
    step_times.append((time.perf_counter() - start) / steps * 1e3)
    start = time.perf_counter()
    evaluate().numpy()
    eval_times.append((time.perf_counter() - start) * 1e3)
  step_ms, eval_ms = float(np.median(step_times)), float(np.median(eval_times))
  evals = hp.training_iterations // hp.eval_every + 1
  hours = (hp.training_iterations * step_ms + evals * eval_ms) / 3.6e6
  result = dict(network=name, threads=threads, step_ms=step_ms, eval_ms=eval_ms,
                iterations=hp.training_iterations, evals=evals, level_hours=hours,
                matmul_gflops=float(np.median(rates)))
  if network.flatten:  # the floors: FLOPs at this process's own matmul rate
    from lottery import flops  # pylint: disable=g-import-not-at-top
    step_flops = flops.dense_step_flops(network.shapes, hp.batch_size)['matmul']
    eval_flops = flops.dense_forward_flops(network.shapes, 15000)
    rate = result['matmul_gflops'] * 1e9
    result['step_floor_ms'] = step_flops / rate * 1e3
    result['eval_floor_ms'] = eval_flops / rate * 1e3
    result['step_ratio'] = float(np.median([t / (step_flops / r / 1e6)
                                            for t, r in zip(step_times, rates)]))
    result['eval_ratio'] = float(np.median([t / (eval_flops / r / 1e6)
                                            for t, r in zip(eval_times, rates)]))
    if full_level:
      before = matmul_gflops(repeats)
      start = time.perf_counter()
      trainer.train(compiled, splits, hp, data_seed=0)
      result['level_seconds'] = time.perf_counter() - start
      level_rate = (before + matmul_gflops(repeats)) / 2 * 1e9
      result['level_floor_seconds'] = (hp.training_iterations * step_flops +
                                       evals * eval_flops) / level_rate
  return result


def matmul_gflops(repeats: int, n: int = 2048) -> float:
  """This process's matmul rate (GFLOP/s, float32, n x n): the best of `repeats` timings."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  a = tf.random.stateless_normal((n, n), seed=(0, 1))
  b = tf.random.stateless_normal((n, n), seed=(0, 2))
  tf.linalg.matmul(a, b).numpy()  # warm up
  best = float('inf')
  for _ in range(repeats):
    start = time.perf_counter()
    tf.linalg.matmul(a, b).numpy()
    best = min(best, time.perf_counter() - start)
  return 2 * n ** 3 / best / 1e9


def main(argv) -> int:
  fv = make_flags()
  code = cli.parse_command(fv, argv, __doc__)
  if code is not None:  # --help shown (0), or a bad command line (1)
    return code
  repeats, full_level = fv['repeats'].value, fv['full_level'].value
  if fv['worker'].value:
    print(json.dumps(time_network(fv['worker'].value, int(fv['threads'].value[0]), repeats,
                                  full_level)))
    return 0
  print('network  threads  step (ms, median)  val+test eval (ms, median)  one full level (h)')
  for name in fv['networks'].value:
    for threads in fv['threads'].value:
      result = subprocess.run(
          [sys.executable, '-m', 'lottery.bench.training', f'--worker={name}',
           f'--threads={threads}', f'--repeats={repeats}', f'--full_level={full_level}'],
          capture_output=True, text=True, check=False)
      if result.returncode != 0:
        print(f'error: {name} with {threads} threads failed: '
              f'{(result.stderr.strip().splitlines() or ["no output"])[-1]}', file=sys.stderr)
        return 1
      r = json.loads(result.stdout.strip().splitlines()[-1])
      print(f'{name:<8} {r["threads"]:>7}  {r["step_ms"]:>17.2f}  {r["eval_ms"]:>26.1f}  '
            f'{r["level_hours"]:>18.2f}   ({r["iterations"]} steps + {r["evals"]} evals)',
            flush=True)
      if 'step_floor_ms' in r:
        level = r['iterations'] * r['step_ms'] + r['evals'] * r['eval_ms']
        floor = r['iterations'] * r['step_floor_ms'] + r['evals'] * r['eval_floor_ms']
        print(f'{"":<8} floors at {r["matmul_gflops"]:.1f} GFLOP/s (matmul, this process, median): '
              f'step {r["step_floor_ms"]:.2f} ms ({r["step_ratio"]:.2f}x), '
              f'eval {r["eval_floor_ms"]:.1f} ms ({r["eval_ratio"]:.2f}x), '
              f'level {floor / 1e3:.0f} s ({level / floor:.2f}x projected)', flush=True)
      if 'level_seconds' in r:
        print(f'{"":<8} one full level measured: {r["level_seconds"]:.1f} s against a floor of '
              f'{r["level_floor_seconds"]:.1f} s at the rate measured around it '
              f'({r["level_seconds"] / r["level_floor_seconds"]:.2f}x)', flush=True)
  return 0


if __name__ == '__main__':  # the workers this command starts run this module
  sys.exit(main(sys.argv))
