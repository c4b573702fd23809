"""Live updates of plan pages: the hub and its messages (`hub`), presence (`presence`), the
in-memory broadcaster (`memory`), the Redis relay (`redis_relay`), the factory that picks one
(`backends`), and the streams (`views`, `events`)."""
