"""Reads that walk the catalog graph or its history; answers for the lookup endpoints."""
