"""A list page: a queryset verb, a FilterSet, and forgiving pagination."""

from django.conf import settings
from django.views.generic import ListView


class FilteredListView(ListView):
    """ListView + django-filter FilterSet.

    Subclasses set `filterset_class` and implement `get_base_queryset()` (the queryset verb
    and the related objects the template touches). An invalid filter value is reported by the
    form and ignored; a page number past the end shows the last page instead of a 404.
    """

    filterset_class = None
    paginate_by = settings.TWINNING_PAGE_SIZE

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2)
        context["filter"] = self.filterset
        context["is_filtered"] = self.filterset.is_bound and any(
            value not in (None, "", []) for value in self.filterset.form.cleaned_data.values()
        )
        return context
