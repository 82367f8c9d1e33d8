"""The scaffolder: Backstage software templates turned into forms and run as background jobs."""
