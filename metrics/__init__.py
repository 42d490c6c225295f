"""Every metric shikra exports, defined in one place (see ``catalogue``)."""

from metrics.catalogue import Metrics

__all__ = ["Metrics"]
