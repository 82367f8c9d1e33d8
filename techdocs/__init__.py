"""TechDocs: documentation as code, built with MkDocs and read beside its entity."""
