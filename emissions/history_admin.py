"""The admin base for every history-tracked model."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose "revert to this version" page respects change permission."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history 3.13 saves a POSTed old version after checking only *view*
        # permission, so a read-only user could rewrite any object through it.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
