"""The playground: a local GGUF specialist next to a frontier API, one prompt, side by side."""
