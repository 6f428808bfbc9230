"""TinyTorch: a small PyTorch-like deep learning framework you build yourself, one module at a time."""
