"""The demo's richest project, "Web Portal" (contents listed in demo.py)."""

from __future__ import annotations

from typing import Any

from .assets import logo_png
from .demo_shared import DemoSpace
from .space import actions_by_name, package, secret, step, template_parameter, variable, with_new_ids
from .step_templates import template_action_properties

NAME = "Web Portal"


def build_web_portal(demo: DemoSpace) -> dict[str, Any]:
    space = demo.space
    common = demo.library_sets["Common Settings"]
    helpers = demo.library_sets["Acme Deployment Helpers"]
    project = space.create(
        "projects",
        {
            "Name": NAME,
            "Description": "Customer self-service portal (ASP.NET on IIS), deployed per tenant.",
            "ProjectGroupId": demo.project_groups["Customer Applications"],
            "LifecycleId": demo.lifecycles["Default Lifecycle"],
            "IsDisabled": False,
            "TenantedDeploymentMode": "TenantedOrUntenanted",
            "IncludedLibraryVariableSetIds": [common["Id"], helpers["Id"]],
            "DiscreteChannelRelease": False,
            "AutoCreateRelease": False,
            "DefaultGuidedFailureMode": "EnvironmentDefault",
            "ReleaseNotesTemplate": "Changes in #{Octopus.Release.Number}:\n#{Octopus.Release.Notes}",
            "ProjectConnectivityPolicy": {
                "SkipMachineBehavior": "SkipUnavailableMachines",
                "TargetRoles": ["web-server"],
                "AllowDeploymentsToNoTargets": False,
                "ExcludeUnhealthyTargets": True,
            },
            "Templates": with_new_ids(
                [
                    template_parameter(
                        "Tenant.Hostname", "Portal host name", "Public host name of the tenant's portal."
                    ),
                    template_parameter(
                        "Tenant.LicenceKey",
                        "Licence key",
                        "Tenant's licence key for the portal.",
                        "",
                        "Sensitive",
                    ),
                ]
            ),
        },
    )
    hotfix = space.create(
        "channels",
        {
            "Name": "Hotfix",
            "ProjectId": project["Id"],
            "LifecycleId": demo.lifecycles["Hotfix"],
            "Description": "Urgent fixes that skip Development and Test.",
            "IsDefault": False,
            "TenantTags": [],
            "Rules": [
                {
                    "VersionRange": "[2.0,3.0)",
                    "Tag": "^hotfix.*",
                    "ActionPackages": [
                        {"DeploymentAction": "Deploy website package", "PackageReference": ""}
                    ],
                }
            ],
        },
    )
    process = space.set_deployment_process(project, _deployment_steps(demo, hotfix["Id"]))
    actions = actions_by_name(process)
    recycle, _ = space.add_runbook(
        project,
        _runbook(
            "Recycle App Pool", "Recycles the portal's application pool.", demo.env("Test", "Production")
        ),
        [
            step(
                "Recycle application pool",
                "Octopus.Script",
                {
                    "Octopus.Action.Script.ScriptSource": "Inline",
                    "Octopus.Action.Script.Syntax": "PowerShell",
                    "Octopus.Action.Script.ScriptBody": (
                        "Import-Module WebAdministration\n"
                        "Restart-WebAppPool -Name $OctopusParameters['AppPool.Name']"
                    ),
                    "Octopus.Action.RunOnServer": "false",
                },
                roles=["web-server"],
            ),
        ],
    )
    space.add_runbook(
        project,
        _runbook("Clean IIS Logs", "Removes old IIS and portal log files.", demo.env("Production")),
        [
            step(
                "Remove old log files",
                "Octopus.Script",
                template_action_properties(
                    demo.templates["Files - Remove Old Files"],
                    {
                        "Clean.Paths": "C:\\inetpub\\logs\\LogFiles\nD:\\Logs\\Portal",
                        "Clean.Include": "*.log;*.txt",
                        "Clean.KeepDays": "30",
                        "Clean.WhatIf": "False",
                    },
                ),
                roles=["web-server"],
            ),
        ],
    )
    space.set_variables(
        project["VariableSetId"], _variables(demo, project, hotfix["Id"], actions, recycle["Id"])
    )
    _triggers(demo, project, recycle["Id"])
    space.api.upload(
        space.path(f"projects/{project['Id']}/logo"), "fileData", "web-portal.png", logo_png(), "image/png"
    )
    return project


def _runbook(name: str, description: str, environments: list[str]) -> dict[str, Any]:
    return {
        "Name": name,
        "Description": description,
        "MultiTenancyMode": "Untenanted",
        "EnvironmentScope": "Specified",
        "Environments": environments,
        "DefaultGuidedFailureMode": "EnvironmentDefault",
        "ConnectivityPolicy": {
            "SkipMachineBehavior": "None",
            "TargetRoles": [],
            "AllowDeploymentsToNoTargets": False,
            "ExcludeUnhealthyTargets": False,
        },
        "RunRetentionPolicy": {"QuantityToKeep": 100, "ShouldKeepForever": False},
    }


def _deployment_steps(demo: DemoSpace, hotfix_channel_id: str) -> list[dict[str, Any]]:
    templates = demo.templates
    return [
        step(
            "Ensure application pool",
            "Octopus.Script",
            template_action_properties(
                templates["IIS - Ensure Application Pool"],
                {
                    "AppPool.Name": "#{AppPool.Name}",
                    "AppPool.Runtime": "No Managed Code",
                    "AppPool.StartMode": "AlwaysRunning",
                    "AppPool.Identity": "SpecificUser",
                    "AppPool.User": "ACME\\svc-portal",
                    "AppPool.Password": secret("AppPool-Pa55word"),
                },
            ),
            roles=["web-server"],
        ),
        step(
            "Deploy website package",
            "Octopus.TentaclePackage",
            {
                "Octopus.Action.EnabledFeatures": (
                    "Octopus.Features.ConfigurationTransforms,Octopus.Features.SubstituteInFiles"
                ),
                "Octopus.Action.Package.AutomaticallyRunConfigurationTransformationFiles": "True",
                "Octopus.Action.SubstituteInFiles.TargetFiles": "appsettings.json",
                "Octopus.Action.Package.CustomInstallationDirectory": "D:\\Sites\\Portal",
            },
            roles=["web-server"],
            Packages=[package("Acme.WebPortal", demo.feeds["Acme NuGet"], acquisition="ExecutionTarget")],
        ),
        step(
            "Deploy static assets",
            "Octopus.TentaclePackage",
            {
                "Octopus.Action.Package.CustomInstallationDirectory": "D:\\Sites\\Portal\\wwwroot\\assets",
            },
            roles=["web-server"],
            start_trigger="StartWithPrevious",
            Packages=[package("Acme.WebPortal.Assets", demo.feeds["Octopus Server (built-in)"])],
        ),
        step(
            "Ensure website",
            "Octopus.Script",
            template_action_properties(
                templates["IIS - Ensure Website"],
                {
                    "Site.Name": "Acme Portal",
                    "Site.PhysicalPath": "D:\\Sites\\Portal",
                    "Site.AppPool": "#{AppPool.Name}",
                    "Site.Bindings": "http/*:80:#{Tenant.Hostname};https/*:443:#{Tenant.Hostname}",
                },
            ),
            roles=["web-server"],
        ),
        step(
            "Purge CDN cache",
            "Octopus.AzurePowerShell",
            {
                "Octopus.Action.Azure.AccountId": demo.accounts["Azure Portal Subscription"],
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "PowerShell",
                "Octopus.Action.Script.ScriptBody": (
                    "Clear-AzCdnEndpointContent -ResourceGroupName portal-#{Octopus.Environment.Name} "
                    "-ProfileName acme-portal -EndpointName portal -ContentPath '/*'"
                ),
            },
            WorkerPoolId=demo.worker_pools["Windows Build Workers"],
            ExcludedEnvironments=demo.env("Development"),
        ),
        step(
            "Smoke test portal",
            "Octopus.Script",
            template_action_properties(
                templates["HTTP - Check Endpoint"],
                {
                    "Check.Url": "#{HealthCheck.Url}",
                    "Check.ExpectedStatus": "200",
                    "Check.TimeoutSeconds": "180",
                    "Check.BearerToken": secret("smoke-test-token-81c2"),
                },
            ),
            WorkerPoolVariable="Portal.WorkerPool",
        ),
        step(
            "Approve production release",
            "Octopus.Manual",
            {
                "Octopus.Action.Manual.Instructions": (
                    "Check the smoke test output and the change ticket, then approve."
                ),
                "Octopus.Action.Manual.ResponsibleTeamIds": demo.teams["Release Approvers"],
                "Octopus.Action.Manual.BlockConcurrentDeployments": "True",
            },
            Environments=demo.env("Production"),
        ),
        step(
            "Post hotfix notice",
            "Octopus.Script",
            {
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "PowerShell",
                "Octopus.Action.Script.ScriptBody": (
                    "Invoke-RestMethod -Method Post -Uri https://status.acme.example/api/notices "
                    "-Body @{ text = 'Hotfix #{Octopus.Release.Number} is being applied' }"
                ),
            },
            WorkerPoolId=demo.worker_pools["Windows Build Workers"],
            Channels=[hotfix_channel_id],
        ),
        step(
            "E-mail operations",
            "Octopus.Email",
            {
                "Octopus.Action.Email.Subject": (
                    "#{Octopus.Project.Name} #{Octopus.Release.Number} deployed to "
                    "#{Octopus.Environment.Name}"
                ),
                "Octopus.Action.Email.Body": (
                    "Deployment #{Octopus.Deployment.Id} finished for #{Octopus.Deployment.Tenant.Name}."
                ),
                "Octopus.Action.Email.IsHtml": "False",
                "Octopus.Action.Email.ToTeamIds": demo.teams["Ops Notifications"],
            },
            Environments=demo.env("Production"),
            TenantTags=["Tier/Gold"],
        ),
        step(
            "Notify Slack",
            "Octopus.Script",
            template_action_properties(
                templates["Slack - Post Deployment Status"],
                {
                    "Slack.WebhookUrl": secret(
                        "https://hooks.slack.com/services/T000DEMO/B000DEMO/portalDemoWebhook01"
                    ),
                    "Slack.Channel": "#portal-releases",
                    "Slack.Username": "Octopus",
                },
            ),
            condition="Always",
            WorkerPoolId=demo.worker_pools["Windows Build Workers"],
        ),
    ]


def _variables(
    demo: DemoSpace,
    project: dict[str, Any],
    hotfix_channel_id: str,
    actions: dict[str, Any],
    recycle_runbook_id: str,
) -> list[dict[str, Any]]:
    smoke_test = actions["Smoke test portal"]["Id"]
    return [
        variable("AppPool.Name", "AcmePortal", Role=["web-server"]),
        variable("Website.Port", "80"),
        variable("Website.Port", "443", Environment=demo.env("Test", "Production")),
        variable(
            "ConnectionStrings.Portal",
            "Server=sql-dev;Database=Portal;Integrated Security=true",
            Environment=demo.env("Development"),
        ),
        variable(
            "ConnectionStrings.Portal",
            "Server=sql-test-01;Database=Portal;User Id=portal;Password=T3st!",
            sensitive=True,
            Environment=demo.env("Test"),
        ),
        variable(
            "ConnectionStrings.Portal",
            "Server=sql-prod-01;Database=Portal;User Id=portal;Password=Pr0d!",
            sensitive=True,
            Environment=demo.env("Production"),
        ),
        variable(
            "Portal.SigningKey",
            "k3y-signing-portal-0001",
            sensitive=True,
            description="Signs session cookies.",
        ),
        variable("Portal.Certificate", demo.certificates["Portal TLS"], var_type="Certificate"),
        variable("Portal.AzureAccount", demo.accounts["Azure Portal Subscription"], var_type="AzureAccount"),
        variable("Portal.WorkerPool", demo.worker_pools["Windows Build Workers"], var_type="WorkerPool"),
        variable("HealthCheck.Url", "https://#{Tenant.Hostname}/health", Action=[smoke_test]),
        variable("Feature.HotfixBanner", "true", Channel=[hotfix_channel_id]),
        variable("Portal.Greeting", "Welcome", TenantTag=["Region/US"]),
        variable("Portal.Greeting", "Willkommen", TenantTag=["Region/EU"]),
        variable("Logging.Level", "Verbose", Machine=[demo.machines["web-dev-01"]]),
        variable(
            "Maintenance.Message", "The portal restarts in 5 minutes.", ProcessOwner=[recycle_runbook_id]
        ),
        variable(
            "Deploy.ReleaseOwner", "#{Octopus.Deployment.CreatedBy.DisplayName}", ProcessOwner=[project["Id"]]
        ),
    ]


def _triggers(demo: DemoSpace, project: dict[str, Any], recycle_runbook_id: str) -> None:
    space = demo.space
    space.create(
        "projecttriggers",
        {
            "Name": "Nightly app pool recycle",
            "ProjectId": project["Id"],
            "IsDisabled": False,
            "Description": "Recycles production app pools at 02:30 on weekdays.",
            "Filter": {
                "FilterType": "CronExpressionSchedule",
                "CronExpression": "0 30 2 * * Mon-Fri",
                "Timezone": "UTC",
            },
            "Action": {
                "ActionType": "RunRunbook",
                "RunbookId": recycle_runbook_id,
                "EnvironmentIds": demo.env("Production"),
                "TenantIds": [],
                "TenantTags": [],
            },
        },
    )
    space.create(
        "projecttriggers",
        {
            "Name": "Deploy to new web servers",
            "ProjectId": project["Id"],
            "IsDisabled": False,
            "Description": "Brings new web servers up to date when they become available.",
            "Filter": {
                "FilterType": "MachineFilter",
                "EnvironmentIds": demo.env("Test", "Production"),
                "Roles": ["web-server"],
                "EventGroups": ["MachineAvailableForDeployment"],
                "EventCategories": [],
            },
            "Action": {"ActionType": "AutoDeploy", "ShouldRedeployWhenMachineHasBeenDeployedTo": False},
        },
    )
