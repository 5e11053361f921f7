"""Datasets: canonical uint8 arrays (checksum-verified, cached as npz) and input pipelines."""
