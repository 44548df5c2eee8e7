"""The AI tool register (issue 3; DESIGN.md section 3 "AiTool"): reading and checking the
register file, importing it, and reading the register for pages and the API.

- ``parse_register(text)`` -> ``RegisterSpec``, or ``RegisterInvalid`` listing every problem.
- ``import_register(session, spec)`` / ``import_register_text(session, text)`` -> ``ImportResult``.
- ``list_tools``, ``list_tools_at_organisation``, ``tools_for_patient``, ``get_tool``,
  ``group_by_category``, ``list_organisation_options``: read-only ``ToolView`` values.
"""

from portal.services.register.importer import (
    WITHDRAWN,
    ImportResult,
    import_register,
    import_register_text,
)
from portal.services.register.reading import RegisterInvalid
from portal.services.register.spec import (
    CATEGORIES,
    CONSENT_MODELS,
    EVIDENCE_KINDS,
    NOT_VERIFIED,
    PURPOSES,
    RegisterSpec,
    ToolSpec,
)
from portal.services.register.validation import parse_register
from portal.services.register.views import (
    CategoryGroup,
    DeploymentView,
    LocalText,
    OrganisationOption,
    PatientTools,
    PurposeView,
    ToolView,
    get_tool,
    group_by_category,
    list_organisation_options,
    list_tools,
    list_tools_at_organisation,
    localised,
    tools_for_patient,
)

__all__ = [
    "CATEGORIES", "CONSENT_MODELS", "EVIDENCE_KINDS", "NOT_VERIFIED", "PURPOSES", "WITHDRAWN",
    "CategoryGroup", "DeploymentView", "ImportResult", "LocalText", "OrganisationOption",
    "PatientTools", "PurposeView", "RegisterInvalid", "RegisterSpec", "ToolSpec", "ToolView",
    "get_tool", "group_by_category", "import_register", "import_register_text",
    "list_organisation_options", "list_tools", "list_tools_at_organisation", "localised",
    "parse_register", "tools_for_patient",
]
