"""infra/terraform, offline: the HCL parsed and its security properties asserted, `terraform
fmt -check`, and checkov over infra/ (Terraform and the Dockerfile) with no failed check.

Providers cannot be downloaded here, so there is no `terraform init/validate/plan`: what
Terraform would evaluate (validation regexes) is checked by running the same regexes in
Python on good and bad values. The parser is `hcl2` from bc-python-hcl2 (checkov's fork):
every attribute value comes wrapped in a one-element list, blocks are lists of dicts, and
expressions are strings like "${var.name}".
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from c360.core.settings import Settings
from ingestion.snowflake import scripts as setup_scripts

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
TF = INFRA / "terraform"
MODULES = ("s3", "iam", "sns_sqs")
CHECKOV = Path(sys.executable).parent / "checkov"
TERRAFORM = shutil.which("terraform")


# --- parsing helpers -------------------------------------------------------------------


def load_dir(folder: Path) -> dict[str, list]:
    """Every top-level block kind of a module's .tf files, merged across files."""
    merged: dict[str, list] = {}
    for path in sorted(folder.glob("*.tf")):
        with path.open() as handle:
            for kind, blocks in hcl2.load(handle).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def value(block: dict, name: str) -> Any:
    """An attribute's value (the fork wraps each in a one-element list)."""
    wrapped = block[name]
    assert isinstance(wrapped, list) and len(wrapped) == 1, (name, wrapped)
    return wrapped[0]


def typed(doc: dict, kind: str) -> dict[tuple[str, str], dict]:
    """(type, name) → body, for `resource` or `data` blocks."""
    found = {}
    for block in doc.get(kind, []):
        for type_, named in block.items():
            for name, body in named.items():
                found[(type_, name)] = body
    return found


def named(doc: dict, kind: str) -> dict[str, dict]:
    """name → body, for `variable`, `output` or `module` blocks."""
    return {name: body for block in doc.get(kind, []) for name, body in block.items()}


def locals_of(doc: dict) -> dict[str, Any]:
    """name → value of every `locals` entry (unwrapped like attributes)."""
    return {
        name: value(block, name)
        for block in doc.get("locals", [])
        for name in block
        if not name.startswith("__")
    }


def statements(policy: dict) -> dict[str, dict]:
    """sid → statement of an aws_iam_policy_document (static and dynamic statements)."""
    found = {}
    for statement in policy.get("statement", []):
        found[value(statement, "sid")] = statement
    for dynamic in policy.get("dynamic", []):
        for content in dynamic["statement"]["content"]:
            found[value(content, "sid")] = content
    return found


def conditions(statement: dict) -> dict[str, tuple[str, list]]:
    """variable → (test, values) of a statement's conditions."""
    return {
        value(c, "variable"): (value(c, "test"), value(c, "values"))
        for c in statement.get("condition", [])
    }


def principals(statement: dict) -> list[tuple[str, list]]:
    return [(value(p, "type"), value(p, "identifiers")) for p in statement.get("principals", [])]


def hcl_regexes(condition: str) -> list[str]:
    """The patterns of `regex("...", ...)` calls in a condition, HCL escapes undone."""
    raw = re.findall(r'regex\("((?:[^"\\]|\\.)*)"', condition)
    return [re.sub(r"\\(.)", r"\1", pattern) for pattern in raw]


@pytest.fixture(scope="module")
def root() -> dict:
    return load_dir(TF)


@pytest.fixture(scope="module")
def modules() -> dict[str, dict]:
    return {name: load_dir(TF / "modules" / name) for name in MODULES}


def tf_text(folder: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(folder.glob("*.tf")))


# --- s3 ----------------------------------------------------------------------------------


def by_bucket(resources: dict, type_: str) -> dict[str, dict]:
    """bucket resource name → its companion resource of `type_` (matched on `bucket`)."""
    found = {}
    for (kind, _), body in resources.items():
        if kind == type_:
            match = re.fullmatch(r"\$\{aws_s3_bucket\.(\w+)\.id\}", value(body, "bucket"))
            assert match, f"{type_} refers to its bucket as aws_s3_bucket.<name>.id"
            found[match[1]] = body
    return found


def test_landing_bucket_is_encrypted_with_its_own_rotated_kms_key(modules):
    resources = typed(modules["s3"], "resource")
    sse = by_bucket(resources, "aws_s3_bucket_server_side_encryption_configuration")
    rule = value(sse["landing"], "rule")
    default = value(rule, "apply_server_side_encryption_by_default")
    assert value(default, "sse_algorithm") == "aws:kms"
    assert value(default, "kms_master_key_id") == "${aws_kms_key.landing.arn}"
    assert value(rule, "bucket_key_enabled") is True
    key = resources[("aws_kms_key", "landing")]
    assert value(key, "enable_key_rotation") is True
    assert value(key, "deletion_window_in_days") >= 7
    # The access-log bucket cannot use SSE-KMS (S3 log delivery), but is still encrypted.
    logs = value(value(sse["access_logs"], "rule"), "apply_server_side_encryption_by_default")
    assert value(logs, "sse_algorithm") == "AES256"


def test_every_bucket_is_versioned_private_owner_enforced_and_tls_only(modules):
    resources = typed(modules["s3"], "resource")
    data = typed(modules["s3"], "data")
    buckets = {name for kind, name in resources if kind == "aws_s3_bucket"}
    assert buckets == {"landing", "access_logs"}
    companions = {
        t: by_bucket(resources, t)
        for t in (
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_lifecycle_configuration",
        )
    }
    for bucket in buckets:
        for type_, found in companions.items():
            assert bucket in found, f"aws_s3_bucket.{bucket} has no {type_}"
        versioning = value(
            companions["aws_s3_bucket_versioning"][bucket], "versioning_configuration"
        )
        assert value(versioning, "status") == "Enabled"
        block = companions["aws_s3_bucket_public_access_block"][bucket]
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            assert value(block, flag) is True, f"{bucket}: {flag}"
        ownership = value(companions["aws_s3_bucket_ownership_controls"][bucket], "rule")
        assert value(ownership, "object_ownership") == "BucketOwnerEnforced"
        policy_ref = value(companions["aws_s3_bucket_policy"][bucket], "policy")
        document = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", policy_ref)
        assert document, policy_ref
        policy = data[("aws_iam_policy_document", document[1])]
        deny = statements(policy)["DenyInsecureTransport"]
        assert value(deny, "effect") == "Deny"
        assert conditions(deny)["aws:SecureTransport"] == ("Bool", ["false"])
    logging = [b for (k, _), b in resources.items() if k == "aws_s3_bucket_logging"]
    assert [value(b, "target_bucket") for b in logging] == ["${aws_s3_bucket.access_logs.id}"]
    assert [value(b, "bucket") for b in logging] == ["${aws_s3_bucket.landing.id}"]


def test_only_the_streaming_prefix_expires(modules):
    resources = typed(modules["s3"], "resource")
    lifecycle = by_bucket(resources, "aws_s3_bucket_lifecycle_configuration")["landing"]
    rules = {value(r, "id"): r for r in lifecycle["rule"]}
    expiring = {i: r for i, r in rules.items() if "expiration" in r}
    assert list(expiring) == ["streaming-transactions-expire"]
    rule = expiring["streaming-transactions-expire"]
    assert value(rule, "status") == "Enabled"
    assert value(value(rule, "filter"), "prefix") == "${local.streaming_prefix}"
    assert value(value(rule, "expiration"), "days") == "${var.streaming_retention_days}"
    assert locals_of(modules["s3"])["streaming_prefix"] == (
        "${var.landing_prefix}transactions/streaming/"
    )
    for each in rules.values():  # an upload that never completes is not kept for ever
        assert value(value(each, "abort_incomplete_multipart_upload"), "days_after_initiation") <= 7


# --- iam ---------------------------------------------------------------------------------


def test_the_trust_policy_admits_snowflakes_user_only_with_the_external_id(modules):
    iam = modules["iam"]
    trust = typed(iam, "data")[("aws_iam_policy_document", "trust")]
    (statement,) = statements(trust).values()
    assert value(statement, "effect") == "Allow"
    assert value(statement, "actions") == ["sts:AssumeRole"]
    assert principals(statement) == [("AWS", ["${local.trusted_principal}"])]
    assert conditions(statement) == {"sts:ExternalId": ("StringEquals", ["${local.external_id}"])}
    local = locals_of(iam)
    assert "var.snowflake_iam_user_arn" in local["trusted_principal"]
    assert "var.snowflake_external_id" in local["external_id"]
    # Until Snowflake's values are known, the role trusts this account only (never "*").
    assert ":root" in local["trusted_principal"] and "*" not in local["trusted_principal"]
    role = typed(iam, "resource")[("aws_iam_role", "snowflake")]
    assert value(role, "assume_role_policy") == "${data.aws_iam_policy_document.trust.json}"
    (precondition,) = value(role, "lifecycle")["precondition"]
    # (The fork renders `null` as None and drops the parentheses; both names must be there.)
    condition = value(precondition, "condition")
    assert "var.snowflake_iam_user_arn" in condition and "var.snowflake_external_id" in condition


def test_the_role_may_only_read_below_the_landing_prefix(modules):
    iam = modules["iam"]
    policy = typed(iam, "data")[("aws_iam_policy_document", "read_landing")]
    found = statements(policy)
    actions = {a for s in found.values() for a in value(s, "actions")}
    assert actions == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "kms:Decrypt",
    }
    assert all(value(s, "effect") == "Allow" for s in found.values())
    assert value(found["ReadLandingObjects"], "resources") == ["${local.objects_arn}"]
    assert locals_of(iam)["objects_arn"] == "${var.bucket_arn}/${var.landing_prefix}*"
    assert conditions(found["ListLandingPrefix"]) == {
        "s3:prefix": ("StringLike", ["${var.landing_prefix}*"])
    }
    assert value(found["DecryptLandingObjects"], "resources") == ["${var.kms_key_arn}"]
    assert "kms:ViaService" in conditions(found["DecryptLandingObjects"])
    attached = typed(iam, "resource")[("aws_iam_role_policy", "read_landing")]
    assert value(attached, "policy") == "${data.aws_iam_policy_document.read_landing.json}"


# --- sns_sqs -----------------------------------------------------------------------------


def test_streaming_files_and_only_those_notify_the_topic(root, modules):
    resources = typed(modules["sns_sqs"], "resource")
    notifications = [b for (k, _), b in resources.items() if k == "aws_s3_bucket_notification"]
    (notification,) = notifications
    (topic,) = notification["topic"]
    assert value(topic, "topic_arn") == "${aws_sns_topic.landing_events.arn}"
    assert value(topic, "events") == ["s3:ObjectCreated:*"]
    assert value(topic, "filter_prefix") == "${var.streaming_prefix}"
    assert "queue" not in notification and "lambda_function" not in notification
    # Wired to the s3 module's prefix, which is <landing prefix>transactions/streaming/ ...
    wiring = named(root, "module")["sns_sqs"]
    assert value(wiring, "streaming_prefix") == "${module.s3.streaming_prefix}"
    assert value(named(modules["s3"], "output")["streaming_prefix"], "value") == (
        "${local.streaming_prefix}"
    )
    # ... the folder the pipe reads (05) below the landing stage (03, the prefix's root).
    pipe = (INFRA / "snowflake" / "05_create_snowpipe.sql").read_text()
    assert "landing_stage/transactions/streaming/" in pipe


def test_the_topic_is_encrypted_and_its_policy_names_the_bucket_and_snowflake(modules):
    sns = modules["sns_sqs"]
    resources = typed(sns, "resource")
    topic = resources[("aws_sns_topic", "landing_events")]
    assert value(topic, "kms_master_key_id") == "${aws_kms_key.topic.arn}"
    assert value(resources[("aws_kms_key", "topic")], "enable_key_rotation") is True
    policy = statements(typed(sns, "data")[("aws_iam_policy_document", "topic")])
    publish = policy["LandingBucketPublishes"]
    assert value(publish, "actions") == ["sns:Publish"]
    assert principals(publish) == [("Service", ["s3.amazonaws.com"])]
    assert conditions(publish) == {
        "aws:SourceArn": ("ArnLike", ["${var.bucket_arn}"]),
        "aws:SourceAccount": ("StringEquals", ["${local.account_id}"]),
    }
    subscribe = policy["SnowflakeSubscribesSnowpipeQueue"]
    assert value(subscribe, "actions") == ["sns:Subscribe"]
    assert principals(subscribe) == [("AWS", ["${statement.value}"])]
    subscription = resources[("aws_sns_topic_subscription", "snowpipe")]
    assert value(subscription, "protocol") == "sqs"
    assert value(subscription, "endpoint") == "${var.snowpipe_sqs_queue_arn}"
    # S3 can publish to an encrypted topic only if the key lets it.
    key_policy = statements(typed(sns, "data")[("aws_iam_policy_document", "topic_key")])
    s3_use = key_policy["LandingBucketPublishesEncrypted"]
    assert principals(s3_use) == [("Service", ["s3.amazonaws.com"])]
    assert "aws:SourceArn" in conditions(s3_use)


# --- the whole tree ----------------------------------------------------------------------


def test_no_account_id_is_written_anywhere_in_infra_terraform():
    files = [p for p in TF.rglob("*") if p.is_file()]
    assert any(p.name == "terraform.tfvars.example" for p in files)
    for path in files:
        text = path.read_text()
        found = re.findall(r"(?<![0-9])[0-9]{12}(?![0-9])", text)
        assert not found, f"{path.relative_to(ROOT)} has a 12-digit number {found[0]}"
    assert not list(TF.rglob("*.tfvars")), "terraform.tfvars is account-specific: never commit it"
    # The same check fails on what it is meant to catch.
    assert re.findall(r"(?<![0-9])[0-9]{12}(?![0-9])", "arn:aws:iam::123456789012:root")


def test_every_module_variable_is_used_and_every_module_gets_exactly_its_variables(root, modules):
    calls = named(root, "module")
    assert set(calls) == set(MODULES)
    for name, module in modules.items():
        declared = named(module, "variable")
        text = tf_text(TF / "modules" / name)
        for variable in declared:
            assert re.search(rf"\bvar\.{variable}\b", text), f"{name}: var.{variable} unused"
        passed = {k for k in calls[name] if k not in ("source", "__start_line__", "__end_line__")}
        assert value(calls[name], "source") == f"./modules/{name}"
        assert passed == set(declared), f"module {name}: passed {passed ^ set(declared)} wrongly"
    text = tf_text(TF)
    for variable in named(root, "variable"):
        assert re.search(rf"\bvar\.{variable}\b", text), f"root: var.{variable} unused"


def test_every_module_output_the_root_uses_exists(root, modules):
    text = tf_text(TF)
    for module, output in set(re.findall(r"\bmodule\.(\w+)\.(\w+)", text)):
        assert output in named(modules[module], "output"), f"module.{module}.{output}"
    for name, module in modules.items():
        for output in named(module, "output"):
            assert output in text or name == "iam" and output == "role_name", (
                f"module {name} output {output} is not used by the root"
            )


def test_outputs_are_what_snowflake_setup_needs_named_after_its_settings(root):
    outputs = named(root, "output")
    assert {
        "storage_aws_role_arn",
        "sns_topic_arn",
        "s3_bucket",
        "s3_prefix",
        "s3_region",
        "landing_url",
        "kms_key_arn",
        "c360_settings",
        "dotenv",
    } <= set(outputs)
    assert value(outputs["storage_aws_role_arn"], "value") == "${module.iam.role_arn}"
    assert value(outputs["sns_topic_arn"], "value") == "${module.sns_sqs.topic_arn}"
    settings = locals_of(root)["c360_settings"]
    fields = {f"C360_{name.upper()}" for name in Settings.model_fields}
    assert set(settings) <= fields, set(settings) - fields
    # Every environment variable the setup scripts name as a source comes from Terraform,
    # except Snowflake's own names (database, warehouse) and the alerts' recipient and
    # notification integration (07_create_alerts.sql): not AWS values.
    named_by_setup = set(re.findall(r"C360_[A-Z0-9_]+", " ".join(setup_scripts.SOURCES.values())))
    assert named_by_setup - set(settings) == {
        "C360_SNOWFLAKE_DATABASE",
        "C360_SNOWFLAKE_WAREHOUSE",
        "C360_SNOWFLAKE_ALERT_EMAIL",
        "C360_SNOWFLAKE_ALERT_INTEGRATION",
    }
    assert settings["C360_SNOWFLAKE_S3_ROLE_ARN"] == "${module.iam.role_arn}"
    assert settings["C360_SNOWFLAKE_SNS_TOPIC_ARN"] == "${module.sns_sqs.topic_arn}"
    assert value(outputs["landing_url"], "value") == "${module.s3.landing_url}"


def _validations(doc: dict) -> dict[str, list[str]]:
    return {
        name: [value(v, "condition") for v in body.get("validation", [])]
        for name, body in named(doc, "variable").items()
    }


def test_every_root_variable_but_tags_is_validated(root):
    missing = [n for n, found in _validations(root).items() if not found and n != "tags"]
    assert not missing


def _pattern(doc: dict, variable: str) -> re.Pattern:
    (condition, *_) = _validations(doc)[variable]
    (pattern,) = hcl_regexes(condition)
    return re.compile(pattern)


@pytest.mark.parametrize(
    ("variable", "good", "bad"),
    [
        (
            "bucket_name",
            ["snowflake-customer-analytics-data", "c360.landing"],
            ["My_Bucket", "ab", "-x-", "a" * 59],
        ),
        ("landing_prefix", ["acquired/", "a/b/"], ["/acquired/", "acquired", "a b/"]),
        ("aws_region", ["us-east-1", "eu-central-2", "us-gov-west-1"], ["US-EAST-1", "useast1"]),
        (
            "snowflake_iam_user_arn",
            ["arn:aws:iam::" + "1" * 12 + ":user/abc1-b-self1234"],
            ["arn:aws:iam::123:user/x", "arn:aws:iam::" + "1" * 12 + ":role/x", "*"],
        ),
        (
            "snowflake_external_id",
            ["MYACCOUNT_SFCRole=2_a1b2c3d4e5f6g7h8i9j0=", "ab"],
            ["a", "x" * 1225, "has space"],
        ),
        (
            "snowpipe_sqs_queue_arn",
            ["arn:aws:sqs:us-east-1:" + "1" * 12 + ":sf-snowpipe-AIDA-abc"],
            ["arn:aws:sns:us-east-1:" + "1" * 12 + ":topic", "arn:aws:sqs:us-east-1:1:q"],
        ),
        ("snowflake_role_name", ["c360-snowflake-s3"], ["a" * 65, "bad/name"]),
        ("sns_topic_name", ["c360-snowflake-s3-events"], ["bad.name", ""]),
    ],
)
def test_variable_validations_accept_good_and_refuse_bad_values(root, variable, good, bad):
    pattern = _pattern(root, variable)
    for each in good:
        assert pattern.fullmatch(each), (variable, each)
    for each in bad:
        assert not pattern.fullmatch(each), (variable, each)


def test_what_terraform_accepts_the_setup_scripts_accept_too(root):
    """A bucket, prefix, role name and topic name Terraform takes render in 03 and 05."""
    account = "1" * 12
    for bucket, prefix, role, topic in [
        ("snowflake-customer-analytics-data", "", "c360-snowflake-s3", "c360-snowflake-s3-events"),
        ("c360.landing-eu", "acquired/2026/", "Snowflake+Role=1,a.b@c", "c360_events-1"),
    ]:
        assert _pattern(root, "bucket_name").fullmatch(bucket)
        assert prefix == "" or _pattern(root, "landing_prefix").fullmatch(prefix)
        assert _pattern(root, "snowflake_role_name").fullmatch(role)
        assert _pattern(root, "sns_topic_name").fullmatch(topic)
        values = setup_scripts.ScriptValues(
            "CUSTOMER_ANALYTICS",
            bucket=bucket,
            prefix=prefix.rstrip("/"),
            aws_role_arn=f"arn:aws:iam::{account}:role/{role}",
            sns_topic_arn=f"arn:aws:sns:us-east-1:{account}:{topic}",
        )
        rendered = setup_scripts.render_scripts(values, only=["03", "05"])
        assert f"'s3://{bucket}/{prefix}'" in rendered[0].sql


# --- the tools ---------------------------------------------------------------------------


@pytest.mark.skipif(TERRAFORM is None, reason="the terraform binary is not installed here")
def test_terraform_fmt_leaves_every_file_as_it_is():
    assert TERRAFORM is not None
    result = subprocess.run(
        [TERRAFORM, "fmt", "-check", "-recursive", "-diff", str(TF)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout


@pytest.fixture(scope="module")
def checkov() -> list[dict]:
    """checkov over infra/ once per module: Terraform and the Dockerfile, offline."""
    result = subprocess.run(
        [
            str(CHECKOV),
            "--directory",
            str(INFRA),
            "--framework",
            "terraform",
            "dockerfile",
            "--skip-download",  # no network: no Prisma Cloud metadata, nothing else changes
            "--output",
            "json",
            "--compact",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


def test_checkov_reports_no_failed_check_on_terraform_or_the_dockerfile(checkov):
    summaries = {r["check_type"]: r["summary"] for r in checkov}
    assert set(summaries) == {"terraform", "dockerfile"}
    for kind, summary in summaries.items():
        failed = [
            f"{c['check_id']} {c['resource']} ({c['file_path']})"
            for r in checkov
            if r["check_type"] == kind
            for c in r["results"]["failed_checks"]
        ]
        assert summary["failed"] == 0, failed
        assert summary["parsing_errors"] == 0
        assert summary["passed"] > 0
    assert summaries["terraform"]["resource_count"] >= 20


def test_every_checkov_skip_is_justified_in_the_code_and_used(checkov):
    comments = []
    for path in TF.rglob("*.tf"):
        comments += re.findall(r"#checkov:skip=(CKV2?_AWS_\d+)(?::(.*))?", path.read_text())
    assert comments, "no skips at all? then drop this test's expectations"
    for check, reason in comments:
        assert reason and len(reason.split()) >= 6, f"{check}: a skip needs a written reason"
    skipped = [c for r in checkov for c in r["results"].get("skipped_checks", [])]
    assert len(skipped) == len(comments)
    assert all(c["check_result"].get("suppress_comment") for c in skipped)
