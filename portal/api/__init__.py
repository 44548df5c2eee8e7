"""JSON API v1, FHIR R4 endpoints, OAuth 2 token endpoint, OpenAPI document."""
