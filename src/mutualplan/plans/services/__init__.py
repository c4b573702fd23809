"""Every write to a plan goes through one function here: it validates, writes, records the
activity and publishes the live event, so the web pages, the API and the CLI share one rule."""
