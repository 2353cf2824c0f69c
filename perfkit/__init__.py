"""perfkit: a Django performance-profiling middleware and benchmarking suite."""

__version__ = "0.1.0"
