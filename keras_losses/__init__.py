"""Loss functions for Keras 3 that Keras lacks or gets numerically wrong."""

import sys as _sys

# While `python -m NAME` locates NAME, sys.argv[0] is "-m", and the word in
# sys.orig_argv before the script's own arguments is NAME (or "-mNAME").
if _sys.argv[:1] == ["-m"] and _sys.orig_argv[
    : len(_sys.orig_argv) - len(_sys.argv) + 1
][-1:] in (["keras_losses"], ["-mkeras_losses"]):
    # `python -m keras_losses ...` imports this package before it runs
    # __main__: read the arguments first, so that --help and bad arguments
    # answer at once, and quiet TensorFlow's start-up log before Keras loads.
    from keras_losses import demo as _demo

    _demo.start_command_line(_sys.argv[1:])

from keras_losses import config  # noqa: F401  (keras_losses.config)
from keras_losses.box import CIoULoss
from keras_losses.box import DIoULoss
from keras_losses.box import DistributionFocalLoss
from keras_losses.box import GIoULoss
from keras_losses.box import IoULoss
from keras_losses.box import ciou_loss
from keras_losses.box import diou_loss
from keras_losses.box import distribution_focal_loss
from keras_losses.box import giou_loss
from keras_losses.box import iou_loss
from keras_losses.composite import Sum
from keras_losses.crossentropy import BinaryCrossentropy
from keras_losses.crossentropy import CategoricalCrossentropy
from keras_losses.crossentropy import SparseCategoricalCrossentropy
from keras_losses.crossentropy import binary_crossentropy
from keras_losses.crossentropy import categorical_crossentropy
from keras_losses.crossentropy import sparse_categorical_crossentropy
from keras_losses.focal import BinaryFocalCrossentropy
from keras_losses.focal import CategoricalFocalCrossentropy
from keras_losses.focal import SparseCategoricalFocalCrossentropy
from keras_losses.focal import binary_focal_crossentropy
from keras_losses.focal import categorical_focal_crossentropy
from keras_losses.focal import sparse_categorical_focal_crossentropy
from keras_losses.imbalance import AsymmetricLoss
from keras_losses.imbalance import BinaryPoly1Crossentropy
from keras_losses.imbalance import CategoricalPoly1Crossentropy
from keras_losses.imbalance import QualityFocalLoss
from keras_losses.imbalance import SparseCategoricalPoly1Crossentropy
from keras_losses.imbalance import VarifocalLoss
from keras_losses.imbalance import asymmetric_loss
from keras_losses.imbalance import binary_poly1_crossentropy
from keras_losses.imbalance import categorical_poly1_crossentropy
from keras_losses.imbalance import class_balanced_weights
from keras_losses.imbalance import quality_focal_loss
from keras_losses.imbalance import sparse_categorical_poly1_crossentropy
from keras_losses.imbalance import varifocal_loss
from keras_losses.metric import ContrastiveLoss
from keras_losses.metric import LiftedStructLoss
from keras_losses.metric import NpairsLoss
from keras_losses.metric import NpairsMultilabelLoss
from keras_losses.metric import NTXentLoss
from keras_losses.metric import SupervisedContrastiveLoss
from keras_losses.metric import TripletHardLoss
from keras_losses.metric import TripletSemiHardLoss
from keras_losses.metric import contrastive_loss
from keras_losses.metric import lifted_struct_loss
from keras_losses.metric import npairs_loss
from keras_losses.metric import npairs_multilabel_loss
from keras_losses.metric import nt_xent_loss
from keras_losses.metric import supervised_contrastive_loss
from keras_losses.metric import triplet_hard_loss
from keras_losses.metric import triplet_semihard_loss
from keras_losses.regression import BalancedL1
from keras_losses.regression import Huber
from keras_losses.regression import Pinball
from keras_losses.regression import SmoothL1
from keras_losses.regression import balanced_l1
from keras_losses.regression import huber
from keras_losses.regression import pinball
from keras_losses.regression import smooth_l1
from keras_losses.segmentation import Dice
from keras_losses.segmentation import FocalTversky
from keras_losses.segmentation import GeneralizedDice
from keras_losses.segmentation import Jaccard
from keras_losses.segmentation import LovaszHinge
from keras_losses.segmentation import LovaszSoftmax
from keras_losses.segmentation import SparseDice
from keras_losses.segmentation import SparseFocalTversky
from keras_losses.segmentation import SparseGeneralizedDice
from keras_losses.segmentation import SparseJaccard
from keras_losses.segmentation import SparseTversky
from keras_losses.segmentation import Tversky
from keras_losses.segmentation import dice
from keras_losses.segmentation import focal_tversky
from keras_losses.segmentation import generalized_dice
from keras_losses.segmentation import jaccard
from keras_losses.segmentation import lovasz_hinge
from keras_losses.segmentation import lovasz_softmax
from keras_losses.segmentation import sparse_dice
from keras_losses.segmentation import sparse_focal_tversky
from keras_losses.segmentation import sparse_generalized_dice
from keras_losses.segmentation import sparse_jaccard
from keras_losses.segmentation import sparse_tversky
from keras_losses.segmentation import tversky

__version__ = "0.1.0"

__all__ = [
    "AsymmetricLoss",
    "BalancedL1",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "BinaryPoly1Crossentropy",
    "CIoULoss",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalPoly1Crossentropy",
    "ContrastiveLoss",
    "DIoULoss",
    "Dice",
    "DistributionFocalLoss",
    "FocalTversky",
    "GIoULoss",
    "GeneralizedDice",
    "Huber",
    "IoULoss",
    "Jaccard",
    "LiftedStructLoss",
    "LovaszHinge",
    "LovaszSoftmax",
    "NTXentLoss",
    "NpairsLoss",
    "NpairsMultilabelLoss",
    "Pinball",
    "QualityFocalLoss",
    "SmoothL1",
    "SparseCategoricalCrossentropy",
    "SparseCategoricalFocalCrossentropy",
    "SparseCategoricalPoly1Crossentropy",
    "SparseDice",
    "SparseFocalTversky",
    "SparseGeneralizedDice",
    "SparseJaccard",
    "SparseTversky",
    "Sum",
    "SupervisedContrastiveLoss",
    "TripletHardLoss",
    "TripletSemiHardLoss",
    "Tversky",
    "VarifocalLoss",
    "asymmetric_loss",
    "balanced_l1",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "binary_poly1_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_poly1_crossentropy",
    "ciou_loss",
    "class_balanced_weights",
    "contrastive_loss",
    "dice",
    "diou_loss",
    "distribution_focal_loss",
    "focal_tversky",
    "generalized_dice",
    "giou_loss",
    "huber",
    "iou_loss",
    "jaccard",
    "lifted_struct_loss",
    "lovasz_hinge",
    "lovasz_softmax",
    "npairs_loss",
    "npairs_multilabel_loss",
    "nt_xent_loss",
    "pinball",
    "quality_focal_loss",
    "smooth_l1",
    "sparse_categorical_crossentropy",
    "sparse_categorical_focal_crossentropy",
    "sparse_categorical_poly1_crossentropy",
    "sparse_dice",
    "sparse_focal_tversky",
    "sparse_generalized_dice",
    "sparse_jaccard",
    "sparse_tversky",
    "supervised_contrastive_loss",
    "triplet_hard_loss",
    "triplet_semihard_loss",
    "tversky",
    "varifocal_loss",
]
