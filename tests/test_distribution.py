"""Data-parallel training equals one-device training, for every loss.

Each backend's engine runs in a fresh process (the device count must be
fixed before the backend starts): see tests/distributed_fit.py.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.examples import IN_BATCH
from tests.examples import LOSS_CLASSES


@pytest.fixture(scope="module")
def runs(backend):
    if backend not in ("tensorflow", "jax"):
        pytest.skip(
            f"no data-parallel engine is tested on {backend}: Keras's "
            "distribution API covers TensorFlow (tf.distribute) and JAX"
        )
    env = dict(os.environ, KERAS_BACKEND=backend)
    env["XLA_FLAGS"] = (
        env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.distributed_fit"],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    assert runs.pop("devices") == 2
    return runs


def test_batch_pooled_sets_per_replica_on_tf_global_on_jax(runs, backend):
    # A Dice loss over the whole batch (axis=None) is a batch statistic:
    # under tf.distribute each replica pools its own half and Keras averages
    # the replicas; JAX's DataParallel computes it on the global batch. The
    # documented behaviour (keras_losses.segmentation's docstring).
    pooled = runs["pooled Dice"]
    assert abs(pooled["global"] - pooled["per_replica"]) > 1e-3  # distinct
    expected = pooled["per_replica" if backend == "tensorflow" else "global"]
    np.testing.assert_allclose(pooled["loss"], expected, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(IN_BATCH))
def test_in_batch_mining_per_replica_on_tf_global_on_jax(runs, name, backend):
    # Triplet mining, N-pairs and contrastive losses compare each sample
    # with the others of the batch the loss is called on: under
    # tf.distribute that is each replica's half, and Keras averages the
    # replicas; JAX's DataParallel computes on the global batch. The
    # documented behaviour (keras_losses.metric's docstring).
    first = runs[name]["first_step"]
    assert abs(first["global"] - first["per_replica"]) > 1e-4  # distinct
    expected = first["per_replica" if backend == "tensorflow" else "global"]
    np.testing.assert_allclose(
        runs[name]["data_parallel"]["losses"][0], expected, rtol=1e-5
    )


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_data_parallel_matches_one_device(runs, name, backend):
    # Uneven sample weights and (sparse losses) ignored labels spread
    # unevenly over the two devices: the reduction must be the global one.
    if name in IN_BATCH and backend == "tensorflow":
        pytest.skip(
            f"{name} mines each replica's shard under tf.distribute: "
            "test_in_batch_mining_per_replica_on_tf_global_on_jax"
        )
    one, parallel = runs[name]["one_device"], runs[name]["data_parallel"]
    np.testing.assert_allclose(parallel["losses"], one["losses"], rtol=1e-5)
    for ours, reference in zip(
        parallel["weights"], one["weights"], strict=True
    ):
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)
