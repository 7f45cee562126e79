"""The ML side of the product: features, models, evaluation, simulation, statistics.

Plain Python on pandas/numpy/LightGBM/lifelines. Nothing in this package imports Django;
`tests/test_architecture.py` enforces it. The Django side talks to it only through
`recommender.dataset.Dataset` (contract-shaped frames in) and the functions each
sub-package exports (frames and plain dicts out).
"""
