import os

from django.core.asgi import get_asgi_application

from mutualplan.http.body_size import limit_request_body
from mutualplan.http.stalled_clients import close_stalled_clients

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualplan.settings")
# A body over the size limit is cut off before Django's handler would take all of it in; a
# client that stops reading is disconnected after MUTUALPLAN_SEND_TIMEOUT_SECONDS.
application = close_stalled_clients(limit_request_body(get_asgi_application()))
