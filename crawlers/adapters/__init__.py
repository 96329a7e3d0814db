"""Platform adapters: one per CMS family, chosen by `detect(page)` or by the portal's `platform` setting."""
from .base import Adapter, Entry, Follow, ListResult, url_dir
from .platforms import ADAPTERS, DETECT_ORDER, GkmlptAdapter, HanwebAdapter, detect

__all__ = ["ADAPTERS", "DETECT_ORDER", "Adapter", "Entry", "Follow", "GkmlptAdapter", "HanwebAdapter", "ListResult",
           "detect", "url_dir"]
