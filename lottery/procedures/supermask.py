"""Learned supermasks (Zhou et al. 2019, Section 5.2) on the lottery run's untrained network.

The weights stay frozen at the trial's theta_0 (or its signed constants,
sign(theta_0) x the layer's std, with or without dynamic weight rescaling);
every weight has a score, initialised to 0, and each training step multiplies
the kernels by a mask sampled Bernoulli(sigmoid(score)) with a straight-through
gradient (foundations.supermask_layers). Only the scores train, with the
authors' settings: SGD with momentum 0.9, learning rate 100, batch 250,
2000 epochs of 220 steps (their 55,000 training images) = 440,000 steps.
Evaluations every 2,200 steps (10 epochs) each draw one mask.

One level, 0 (the unpruned network). Its files:
  initial.npz  the frozen kernels (theta_0, or the signed constants)
  masks.npz    the expected mask: 1 where sigmoid(score) > 0.5
  final.npz    the kernels the expected-mask network computes with (frozen kernel x expected
               mask, x size / kept per layer with rescaling): a plain forward pass with them
               gives expected_mask_test_accuracy
  final_biases.npz  zeros (the biases are frozen at 0)
  summary.json adds sampled_mask_test_accuracies (10 masks drawn at the end, the authors'
               test accuracy is their mean, sampled_mask_test_accuracy_mean),
               expected_mask_test_accuracy, expected_mask_percent_remaining (= its Pm, also
               percent_remaining) and keep_probability_percent (100 x mean sigmoid(score):
               the expected Pm of a sampled mask).
An interrupted level resumes from its last checkpoint (foundations.checkpoints, at most every
$LTH_CHECKPOINT_SECONDS, default 300 s), or from its first step without one; masks are stateless
draws seeded by (run seed, trial, step) and the evaluation count is checkpointed, so either
way the rerun's files are identical to an uninterrupted run's.
"""

import numpy as np

from foundations import kept_init
from foundations import pruning
from lottery import level_models
from lottery import procedures
from lottery import seeds

EPOCHS = 2000
STEPS_PER_EPOCH = 220  # 55,000 training images / batch 250
ITERATIONS = EPOCHS * STEPS_PER_EPOCH
EVAL_EVERY = 10 * STEPS_PER_EPOCH
BATCH_SIZE = 250
LEARNING_RATE = 100.0
TEST_SAMPLES = 10
# name -> (signed constants, dynamic weight rescaling)
VARIANTS = {'supermask_learned': (False, False),
            'supermask_learned_signed': (True, False),
            'supermask_learned_signed_rescaled': (True, True)}


def describe(iterations: int, eval_every: int):
  """The lottery run's description -> a learned supermask run's (the authors' training)."""
  def fn(desc: procedures.Desc) -> procedures.Desc:
    return desc.replace(training_iterations=iterations, eval_every=eval_every,
                        batch_size=BATCH_SIZE, optimizer='momentum', learning_rate=LEARNING_RATE,
                        test_eval='all')
  return fn


def make_start(name: str, signed: bool):
  """(ctx, level) -> Start: the trial's theta_0 (or signed constants), all-ones masks."""
  def start(ctx: procedures.Context, level: int) -> procedures.Start:
    if level != 0:
      raise procedures.MissingSourceError(
          f'{name}: level {level}: a learned supermask has one level, 0 (the unpruned network); '
          'give --levels=0 or no --levels')
    kinds = set(ctx.network.layer_kinds.values())
    if not ctx.network.flatten or not kinds <= {'fc', 'output'}:
      raise procedures.MissingSourceError(
          f'{name}: network {ctx.network.name!r} has {", ".join(sorted(kinds))} layers; learned '
          'supermasks are implemented for fully-connected networks only')
    theta0, ones = ctx.theta0(), ctx.ones()
    if signed:
      theta0 = {n: kept_init.initial_weights('signed_constant', w, ones[n]).astype(np.float32)
                for n, w in theta0.items()}
    return procedures.Start(theta0, ones)
  return start


def make_training(signed: bool, rescaled: bool):
  """(Models, Start) -> LevelModel of a supermask model over the start's frozen kernels."""
  def training(models: level_models.Models, start: procedures.Start) -> level_models.LevelModel:
    from foundations import supermask  # pylint: disable=g-import-not-at-top
    from foundations import supermask_training as st  # pylint: disable=g-import-not-at-top
    desc = models.desc
    kernels = start.initial
    # XLA made the stateless mask draws ~8x slower on CPU (36 ms against 4 ms a step).
    compiled = st.SupermaskTraining(
        next(iter(kernels.values())).shape[0], kernels, rescaled,
        seeds.derive(desc.seed, desc.trial, 'supermask'), desc.training,
        models.network.eval_batch_size, jit_compile=False)

    def masks(model):
      del model
      return st.expected_masks(compiled.scores())

    def final_kernels(model):
      return st.effective_kernels(compiled.frozen_kernels(), masks(model), rescaled)

    def finish(model, data):
      x, y = data.eval_sets()[1]
      sampled = compiled.sampled_accuracies(x, y, TEST_SAMPLES)
      expected = supermask.accuracies(x.numpy(), y.numpy(),
                                      [list(final_kernels(model).values())])[0]
      return dict(sampled_mask_test_accuracies=sampled,
                  sampled_mask_test_accuracy_mean=float(np.mean(sampled)),
                  expected_mask='sigmoid(score) > 0.5',
                  expected_mask_test_accuracy=float(expected),
                  expected_mask_percent_remaining=pruning.percent_remaining(masks(model)),
                  keep_probability_percent=st.keep_probability(compiled.scores()))

    return level_models.LevelModel(
        compiled, masks, final_kernels,
        summary_extra=dict(supermask_weights='signed_constant' if signed else 'theta0',
                           dynamic_weight_rescaling=rescaled),
        changes_masks=True, own=True, biases=lambda model: compiled.biases(), finish=finish)
  return training


def make(name: str, signed: bool, rescaled: bool, iterations: int = ITERATIONS,
         eval_every: int = EVAL_EVERY) -> procedures.Procedure:
  """A learned-supermask procedure (`iterations` training steps: tests use fewer)."""
  weights = 'signed constants' if signed else 'theta_0'
  return procedures.Procedure(
      name=name, start=make_start(name, signed), requires=lambda level: [],
      default_levels=lambda desc, finished: [0],
      doc=f'learned supermask over frozen {weights}' +
      (' with dynamic weight rescaling' if rescaled else '') +
      ' (Zhou et al. 2019; SGD momentum 0.9, lr 100, batch 250, 2000 epochs)',
      training=make_training(signed, rescaled), describe=describe(iterations, eval_every))


for _name, (_signed, _rescaled) in VARIANTS.items():
  procedures.register(make(_name, _signed, _rescaled))
