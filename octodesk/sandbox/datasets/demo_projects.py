"""The demo's other projects: Billing API, Database Migrations, Release Orchestrator, Mobile App (Git)."""

from __future__ import annotations

import json
from typing import Any

from .demo_shared import DemoSpace
from .space import package, secret, step, variable
from .step_templates import SQL_TEMPLATE, SQL_TEMPLATE_FIRST, template_action_properties


def _project(demo: DemoSpace, name: str, description: str, group: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": name,
        "Description": description,
        "ProjectGroupId": demo.project_groups[group],
        "LifecycleId": demo.lifecycles["Default Lifecycle"],
        "IsDisabled": False,
        "TenantedDeploymentMode": "Untenanted",
        "IncludedLibraryVariableSetIds": [],
        "Templates": [],
        "DiscreteChannelRelease": False,
        "AutoCreateRelease": False,
    }
    body.update(fields)
    return demo.space.create("projects", body)


def _script(body: str, syntax: str = "PowerShell", **extra: str) -> dict[str, str]:
    return {
        "Octopus.Action.Script.ScriptSource": "Inline",
        "Octopus.Action.Script.Syntax": syntax,
        "Octopus.Action.Script.ScriptBody": body,
        **extra,
    }


_BILLING_CONTAINERS = json.dumps(
    [
        {
            "Name": "billing-api",
            "Ports": [{"key": "http", "value": "8080", "option": "TCP"}],
            "EnvironmentVariables": [
                {"key": "ASPNETCORE_ENVIRONMENT", "value": "#{Octopus.Environment.Name}"}
            ],
            "SecretEnvironmentVariables": [],
            "Resources": {
                "requests": {"cpu": "250m", "memory": "256Mi"},
                "limits": {"cpu": "1", "memory": "512Mi"},
            },
        }
    ]
)


def build_billing_api(demo: DemoSpace) -> dict[str, Any]:
    space = demo.space
    project = _project(
        demo,
        "Billing API",
        "Invoicing and payment REST API, running as containers on EKS.",
        "Back Office Services",
        IncludedLibraryVariableSetIds=[demo.library_sets["Common Settings"]["Id"]],
    )
    workers = demo.worker_pools["Windows Build Workers"]
    space.set_deployment_process(
        project,
        [
            step(
                "Apply database changes",
                "Octopus.Script",
                template_action_properties(
                    demo.templates[SQL_TEMPLATE],
                    {
                        "Sql.ConnectionString": secret(
                            "Server=sql-prod-01;Database=Billing;User Id=billing;Password=B1ll!"
                        ),
                        "Sql.Script": "EXEC dbo.ApplyPendingBillingMigrations;",
                        "Sql.CommandTimeout": "120",
                        "Sql.ContinueOnError": "False",
                    },
                ),
                WorkerPoolId=workers,
            ),
            step(
                "Deploy billing containers",
                "Octopus.KubernetesDeployContainers",
                {
                    "Octopus.Action.KubernetesContainers.DeploymentName": "billing-api",
                    "Octopus.Action.KubernetesContainers.DeploymentResourceType": "Deployment",
                    "Octopus.Action.KubernetesContainers.DeploymentStyle": "RollingUpdate",
                    "Octopus.Action.KubernetesContainers.Replicas": "#{Billing.Replicas}",
                    "Octopus.Action.KubernetesContainers.Containers": _BILLING_CONTAINERS,
                    "Octopus.Action.Kubernetes.ResourceStatusCheck": "True",
                },
                roles=["billing-cluster"],
                WorkerPoolId=workers,
                Container={
                    "Image": "octopusdeploy/worker-tools:4-ubuntu.22.04",
                    "FeedId": demo.feeds["Docker Hub"],
                },
                Packages=[
                    package(
                        "acme/billing-api",
                        demo.feeds["Docker Hub"],
                        name="billing-api",
                        acquisition="NotAcquired",
                        extract=False,
                    )
                ],
            ),
            step(
                "Publish invoice templates",
                "Octopus.AwsRunScript",
                _script(
                    "aws s3 sync ./templates s3://#{Billing.TemplateBucket}/invoices --delete",
                    "Bash",
                    **{
                        "Octopus.Action.AwsAccount.Variable": "Billing.AwsAccount",
                        "Octopus.Action.Aws.Region": "eu-west-1",
                        "Octopus.Action.AwsAccount.UseInstanceRole": "False",
                        "Octopus.Action.Aws.AssumeRole": "False",
                    },
                ),
                WorkerPoolId=workers,
            ),
        ],
    )
    space.set_variables(
        project["VariableSetId"],
        [
            variable("Billing.AwsAccount", demo.accounts["AWS Billing"], var_type="AmazonWebServicesAccount"),
            variable("Billing.Replicas", "1"),
            variable("Billing.Replicas", "3", Environment=demo.env("Production")),
            variable(
                "Billing.TemplateBucket", "acme-billing-templates-#{Octopus.Environment.Name | ToLower}"
            ),
            variable(
                "Billing.StripeKey",
                "sk_test_demo_51Hbilling",
                sensitive=True,
                Environment=demo.env("Development", "Test"),
            ),
            variable(
                "Billing.StripeKey",
                "sk_live_demo_51Hbilling",
                sensitive=True,
                Environment=demo.env("Production"),
            ),
            variable(
                "Billing.SqlLogin",
                demo.accounts["Production SQL Login"],
                var_type="UsernamePasswordAccount",
                Environment=demo.env("Production"),
            ),
        ],
    )
    return project


def build_database_migrations(demo: DemoSpace) -> dict[str, Any]:
    space = demo.space
    project = _project(
        demo,
        "Database Migrations",
        "Schema migrations for the shared customer database (run before application releases).",
        "Back Office Services",
    )
    builtin_feed = demo.feeds["Octopus Server (built-in)"]
    space.set_deployment_process(
        project,
        [
            step(
                "Check migration lock",
                "Octopus.Script",
                _script(
                    "$lock = Invoke-Sqlcmd -ServerInstance #{Db.Server} "
                    "-Query 'SELECT Holder FROM dbo.MigrationLock'\n"
                    'if ($lock) { throw "Migrations are locked by $($lock.Holder)" }',
                    **{"Octopus.Action.RunOnServer": "true"},
                ),
                Packages=[package("Acme.Database.Migrations", builtin_feed, name="migrations")],
            ),
            step(
                "Run schema migrations",
                "Octopus.Script",
                template_action_properties(
                    demo.templates[SQL_TEMPLATE_FIRST],
                    {
                        "Sql.ConnectionString": secret(
                            "Server=#{Db.Server};Database=Customers;User Id=migrator;Password=M1gr8!"
                        ),
                        "Sql.Script": "EXEC dbo.RunPendingMigrations @Target = '#{Db.TargetVersion}';",
                    },
                ),
                roles=["db-server"],
            ),
        ],
    )
    space.set_variables(
        project["VariableSetId"],
        [
            variable("Db.Server", "sql-dev.acme.local", Environment=demo.env("Development")),
            variable("Db.Server", "sql-test-01.acme.local", Environment=demo.env("Test")),
            variable("Db.Server", "sql-prod-01.acme.local", Environment=demo.env("Production")),
            variable("Db.TargetVersion", "latest"),
            variable("Db.MigratorPassword", "M1gr8!", sensitive=True),
        ],
    )
    return project


def build_release_orchestrator(demo: DemoSpace, children: list[dict[str, Any]]) -> dict[str, Any]:
    space = demo.space
    project = _project(
        demo,
        "Release Orchestrator",
        "Releases the portal and the billing API together, in order.",
        "Release Trains",
    )
    releases_feed = demo.feeds.get("Octopus Server Releases")
    steps = []
    for child in children:
        steps.append(
            step(
                f"Deploy {child['Name']}",
                "Octopus.DeployRelease",
                {
                    "Octopus.Action.DeployRelease.ProjectId": child["Id"],
                    "Octopus.Action.DeployRelease.DeploymentCondition": "IfNotCurrentVersion",
                },
                Packages=[package(child["Id"], releases_feed, acquisition="NotAcquired", extract=False)],
            )
        )
    space.set_deployment_process(project, steps)
    space.set_variables(
        project["VariableSetId"],
        [
            variable(
                "Orchestrator.ChangeTicket", "CHG-0000", description="Change ticket quoted in release notes."
            ),
        ],
    )
    return project


def build_mobile_app(demo: DemoSpace) -> dict[str, Any]:
    """A version-controlled project: its process and non-sensitive variables live in Git."""
    return _project(
        demo,
        "Mobile App (Git)",
        "Mobile back-end whose deployment process is stored in Git (Config as Code).",
        "Customer Applications",
        IsVersionControlled=True,
        PersistenceSettings={
            "Type": "VersionControlled",
            "Url": "https://github.com/acme-retail/mobile-app.git",
            "DefaultBranch": "main",
            "BasePath": ".octopus/mobile-app",
            "ProtectedDefaultBranch": False,
            "ProtectedBranchNamePatterns": [],
            "Credentials": {"Type": "Anonymous"},
            "ConversionState": {"VariablesAreInGit": False, "RunbooksAreInGit": False},
        },
    )
