"""Core building blocks of TinyTorch, one file per course module (generated from the notebooks in modules/)."""
