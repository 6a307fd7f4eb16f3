"""The API contract every endpoint shares: errors and If-Match (`errors`), the viewset bases (`viewsets`),
serializer and filter building blocks (`fields`), and the contract in the OpenAPI schema (`schema`)."""
