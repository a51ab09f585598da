from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.views import admin_login

from . import views
from .sitemaps import sitemaps

# Staff sign in on the site's own page, which limits failed attempts; the admin's form is
# never shown (see accounts.views.admin_login).
admin.site.login = admin_login

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic"),
    path("rounds/", include("organizations.round_urls")),
    path("organizations/", include("organizations.urls")),
    path("fellows/", include("fellows.urls")),
    path("stories/", include("stories.urls")),
    path("events/", include("events.urls")),
    path("", include("subscriptions.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, feeds).
    path("favicon.ico", views.FaviconView.as_view()),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Twinning administration"
admin.site.site_title = "Twinning admin"
admin.site.index_title = "Exchange rounds, people and stories"
