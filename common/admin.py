"""What every admin page of ours shares."""

from django.core.exceptions import ValidationError


class PrefillMixin:
    """An add page may be prefilled from its address (`?fellow=12`, as the "Invite to keep
    it" button does). Django's autocomplete widgets fail on a value that is not a key
    (`?fellow=abc` was a server error): such values are dropped, and the form starts empty
    there."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name in list(initial):
            field = next(
                (f for f in self.model._meta.get_fields() if f.name == name and f.is_relation),
                None,
            )
            if field is None:
                continue
            key = field.target_field if field.many_to_one else field.related_model._meta.pk
            values = initial[name] if isinstance(initial[name], list) else [initial[name]]
            try:
                for value in values:
                    key.get_prep_value(key.to_python(value))
            except (ValidationError, ValueError, TypeError):
                del initial[name]
        return initial
