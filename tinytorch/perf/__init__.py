"""Measuring and optimising models: profiling, quantization, compression, memoization, acceleration."""
