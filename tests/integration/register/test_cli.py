"""``flask portal import-register FILE`` and ``flask portal load-demo`` (issue 3 point 2)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data.people import Patient, PatientOrganisation
from portal.data.register import AiTool
from portal.extensions import db
from tests.conftest import SHIPPED_REGISTER
from tests.register_files import as_yaml, small_register


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_register_prints_what_changed_and_is_safe_to_run_again(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "import-register", str(SHIPPED_REGISTER)])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == "added moorfields-oct-triage"
    assert first.output.splitlines()[-1] == "added 11, updated 0, retired 0, unchanged 0"
    second = runner.invoke(args=["portal", "import-register", str(SHIPPED_REGISTER)])
    assert second.output.splitlines() == ["added 0, updated 0, retired 0, unchanged 11"]
    assert count(app, AiTool) == 11


def test_import_register_names_the_changed_fields(app, tmp_path):
    path = tmp_path / "register.yaml"
    path.write_text(as_yaml(small_register()), encoding="utf-8")
    runner = app.test_cli_runner()
    runner.invoke(args=["portal", "import-register", str(path)])
    data = small_register()
    data["tools"][1]["summary"] = "It reads comments and sorts them by topic."
    path.write_text(as_yaml(data), encoding="utf-8")
    result = runner.invoke(args=["portal", "import-register", str(path)])
    assert result.output.splitlines() == ["updated feedback-reader: summary",
                                          "added 0, updated 1, retired 0, unchanged 1"]


def test_a_broken_file_lists_every_problem_exits_1_and_writes_nothing(app, tmp_path):
    data = small_register()
    data["tools"][1]["slug"] = "scan-reader"
    del data["tools"][0]["purposes"]["care"]["consent_model"]
    data["tools"][0]["category"] = "marketing"
    data["organisations"][0]["ods_code"] = "raa"
    data["tools"][1]["sources"][0]["url"] = "file:///etc/passwd"
    path = tmp_path / "broken.yaml"
    path.write_text(as_yaml(data), encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["portal", "import-register", str(path)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'{path}: organisations[0].ods_code: must be 3 to 6 upper-case letters or digits, not "raa"',
        f"{path}: tools[0].category: must be one of administration, clinical-decision-making, "
        'service-delivery, population-health, research, not "marketing"',
        f'{path}: tools[0].deployments[0].ods_code: "RAA" is not listed under organisations',
        f"{path}: tools[0].purposes.care.consent_model: must be one of opt-in, opt-out, no-choice",
        f'{path}: tools[1].slug: "scan-reader" is already used by tools[0]',
        f'{path}: tools[1].sources[0].url: must be an http or https link, not "file:///etc/passwd"',
        f"Nothing was imported: 6 problem(s) in {path}.",
    ]
    assert count(app, AiTool) == 0


def test_a_file_that_is_not_utf8_is_refused(app, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Siân".encode("latin-1"))
    result = app.test_cli_runner().invoke(args=["portal", "import-register", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}: file: is not UTF-8 text"


def test_load_demo_imports_the_register_then_links_patients_to_its_organisations(app, tmp_path):
    args = ["portal", "load-demo", "--accounts-file", str(tmp_path / "demo-accounts.json")]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["Register: added 11, updated 0, retired 0, unchanged 0.",
                                              "Loaded 13 organisations and 50 synthetic patients."]
    # The 50 synthetic patients, plus the NHS login stand-in's users as patients.
    assert count(app, AiTool) == 11 and count(app, Patient) > 50
    assert count(app, PatientOrganisation) > 0
    again = app.test_cli_runner().invoke(args=args)
    assert again.output.splitlines()[0] == "Register: added 0, updated 0, retired 0, unchanged 11."
