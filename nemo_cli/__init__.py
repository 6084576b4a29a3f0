"""The ``nemo`` command line: make videos from a terminal."""
