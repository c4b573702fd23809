import os

from django.core.asgi import get_asgi_application

from mutualplan.http.body_size import limit_request_body

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualplan.settings")
# A body over the size limit is cut off before Django's handler would take all of it in.
application = limit_request_body(get_asgi_application())
