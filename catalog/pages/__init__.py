"""Catalog pages beyond the explorer and the entity page: the APIs list and Explore."""
