"""Request and response shapes of the REST API (and so of its OpenAPI document), by area:
`plans`, `milestones`, `sharing`, `templates`, and `errors` (the base and the error shape).
The request bodies the pages share with the API live in `mutualplan.inputs`."""
