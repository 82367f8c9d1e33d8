"""The scaffolder's pages: the Create page and the template form."""
