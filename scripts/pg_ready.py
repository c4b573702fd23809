"""Exit 0 when the PostgreSQL server at the URL given as argument accepts connections."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
