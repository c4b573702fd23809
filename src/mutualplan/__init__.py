"""mutualplan: self-hosted Mutual Action Plans for B2B sales teams."""

__version__ = "0.1.0"
