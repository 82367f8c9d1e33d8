"""The Tech Radar: which technologies to adopt, trial, assess or hold, tied to the catalog."""
