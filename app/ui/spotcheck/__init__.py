"""The Spot-check view: both models over a test set, scored against ground truth."""
