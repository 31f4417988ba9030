"""URL routes: the staff pages, authentication, the language switch and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from emissions.dashboard.views.common import site_icon

admin.site.site_header = _("Kehui Carbon administration")
admin.site.site_title = _("Kehui Carbon")
admin.site.index_title = _("Data management")

urlpatterns = [
    path("", include("emissions.dashboard.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", site_icon, name="favicon"),
]

# A database that cannot answer (a restart) gets a 503 to retry, anything else the 500 page.
handler500 = "emissions.dashboard.views.errors.server_error"
