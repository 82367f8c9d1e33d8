from .sites import DocBuild, DocSite

__all__ = ["DocBuild", "DocSite"]
