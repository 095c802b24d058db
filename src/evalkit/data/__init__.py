"""Data: contracts, reading, validation, the Dataset, quality summaries and the synthetic sample."""
