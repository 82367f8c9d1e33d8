from .replay import github_replay, gitlab_replay  # noqa: F401  (fixtures)
