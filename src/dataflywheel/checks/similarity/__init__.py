"""Set similarity over text: word n-gram shingles, MinHash signatures, LSH banding, union-find.

Pure numpy/polars cores with no knowledge of checks, files or plans; the near-duplicate and
contamination checks wrap them.
"""
