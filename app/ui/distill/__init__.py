"""The Distillation tab: the teacher labels a set, people review it, a training set comes out."""
