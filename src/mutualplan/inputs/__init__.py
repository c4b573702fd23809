"""What the app accepts from its users, shared by every shell that takes input: the API's
request bodies and the web's forms are validated by the same schemas, and their errors read
the same (`inputs.errors.field_errors`)."""
