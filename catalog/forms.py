"""Forms of the catalog's pages."""

from __future__ import annotations

from django import forms


class RegisterLocationForm(forms.Form):
    """The register page's one field: what a person pastes from their browser or git client."""

    target = forms.CharField(
        label="Repository or file URL",
        max_length=2000,
        required=False,  # an empty paste gets the service's message, the same as any other bad input
        help_text=(
            "A repository (reads catalog-info.yaml at its root), a file such as "
            "https://github.com/org/repo/blob/main/catalog-info.yaml, or a git URL such as "
            "git@github.com:org/repo.git#main:services/*/catalog-info.yaml."
        ),
        widget=forms.TextInput(attrs={"type": "url", "inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )
