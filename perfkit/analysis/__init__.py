"""Analysis of recordings: the thinking that recording leaves out."""
