"""What every admin page of ours shares."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models


class PrefillMixin:
    """An add page may be prefilled from its address (`?fellow=12`, as the "Invite to keep
    it" button does). Django's autocomplete widgets fail on a value that is not a key
    (`?fellow=abc` was a server error): such values are dropped, and the form starts empty
    there."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name in list(initial):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.ForeignKey):
                key = field.target_field
            elif isinstance(field, models.ManyToManyField):
                key = field.related_model._meta.pk
            else:
                continue
            values = initial[name] if isinstance(initial[name], list) else [initial[name]]
            try:
                for value in values:
                    key.get_prep_value(key.to_python(value))
            except (ValidationError, ValueError, TypeError):
                del initial[name]
        return initial
