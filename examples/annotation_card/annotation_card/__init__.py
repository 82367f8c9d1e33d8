"""An example Greenroom plugin: a "Runbook" card on entity pages, read from an annotation."""
