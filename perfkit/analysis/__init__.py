"""Analysis of recordings: the thinking that recording leaves out."""

from perfkit.analysis.analyse import analyse

__all__ = ["analyse"]
