"""The demo's custom step templates (our own scripts, modelled on common community templates).

Each template is an ``Octopus.Script`` ActionTemplate with parameters; ``SQL - Run Script`` is changed
twice after it is created, so the server holds three versions of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .space import SpaceWriter, template_parameter

_APP_POOL_SCRIPT = r"""Import-Module WebAdministration
$name = $OctopusParameters['AppPool.Name']
if (-not $name) { throw 'AppPool.Name is required' }
$poolPath = "IIS:\AppPools\$name"
if (-not (Test-Path $poolPath)) {
    Write-Host "Creating application pool $name"
    New-WebAppPool -Name $name | Out-Null
}
Set-ItemProperty $poolPath managedRuntimeVersion $OctopusParameters['AppPool.Runtime']
Set-ItemProperty $poolPath startMode $OctopusParameters['AppPool.StartMode']
if ($OctopusParameters['AppPool.Identity'] -eq 'SpecificUser') {
    Set-ItemProperty $poolPath processModel -Value @{
        userName = $OctopusParameters['AppPool.User']
        password = $OctopusParameters['AppPool.Password']
        identityType = 3
    }
}
Write-Host "Application pool $name is ready"
"""

_WEBSITE_SCRIPT = r"""Import-Module WebAdministration
$site = $OctopusParameters['Site.Name']
$path = $OctopusParameters['Site.PhysicalPath']
$pool = $OctopusParameters['Site.AppPool']
$bindings = $OctopusParameters['Site.Bindings'] -split ';' | Where-Object { $_ }
if (-not (Test-Path "IIS:\Sites\$site")) {
    Write-Host "Creating website $site at $path"
    $default = @{ protocol = 'http'; bindingInformation = '*:80:' }
    New-Item "IIS:\Sites\$site" -PhysicalPath $path -Bindings $default | Out-Null
}
Set-ItemProperty "IIS:\Sites\$site" applicationPool $pool
foreach ($binding in $bindings) {
    $protocol, $info = $binding -split '/', 2
    New-WebBinding -Name $site -Protocol $protocol -BindingInformation $info -ErrorAction SilentlyContinue
}
"""

_HTTP_CHECK_SCRIPT = r"""$uri = $OctopusParameters['Check.Url']
$expected = [int]$OctopusParameters['Check.ExpectedStatus']
$deadline = (Get-Date).AddSeconds([int]$OctopusParameters['Check.TimeoutSeconds'])
$headers = @{}
$token = $OctopusParameters['Check.BearerToken']
if ($token) { $headers['Authorization'] = "Bearer $token" }
do {
    try {
        $status = (Invoke-WebRequest -Uri $uri -Headers $headers -UseBasicParsing -TimeoutSec 10).StatusCode
    } catch { $status = $_.Exception.Response.StatusCode.value__ }
    if ($status -eq $expected) { Write-Host "$uri answered $status"; exit 0 }
    Start-Sleep -Seconds 5
} while ((Get-Date) -lt $deadline)
throw "$uri answered $status, expected $expected"
"""

_SQL_SCRIPT = r"""$connectionString = $OctopusParameters['Sql.ConnectionString']
$connection = New-Object System.Data.SqlClient.SqlConnection $connectionString
$connection.Open()
try {
    $command = $connection.CreateCommand()
    $command.CommandText = $OctopusParameters['Sql.Script']
    $rows = $command.ExecuteNonQuery()
    Write-Host "Script affected $rows row(s)"
} finally { $connection.Dispose() }
"""

_SQL_SCRIPT_WITH_TIMEOUT = r"""$connectionString = $OctopusParameters['Sql.ConnectionString']
$connection = New-Object System.Data.SqlClient.SqlConnection $connectionString
$connection.Open()
try {
    $command = $connection.CreateCommand()
    $command.CommandTimeout = [int]$OctopusParameters['Sql.CommandTimeout']
    $command.CommandText = $OctopusParameters['Sql.Script']
    Write-Host "Script affected $($command.ExecuteNonQuery()) row(s)"
} finally { $connection.Dispose() }
"""

_SQL_SCRIPT_WITH_ERROR_HANDLING = r"""$connectionString = $OctopusParameters['Sql.ConnectionString']
$connection = New-Object System.Data.SqlClient.SqlConnection $connectionString
$printMessage = { Write-Host $event.SourceEventArgs.Message }
Register-ObjectEvent -InputObject $connection -EventName InfoMessage -Action $printMessage | Out-Null
$connection.Open()
try {
    $command = $connection.CreateCommand()
    $command.CommandTimeout = [int]$OctopusParameters['Sql.CommandTimeout']
    $command.CommandText = $OctopusParameters['Sql.Script']
    $rows = $command.ExecuteNonQuery()
    Write-Host "Script affected $rows row(s)"
} catch {
    if ($OctopusParameters['Sql.ContinueOnError'] -eq 'True') { Write-Warning $_ } else { throw }
} finally { $connection.Dispose() }
"""

_SLACK_SCRIPT = r"""$failed = [bool]$OctopusParameters['Octopus.Deployment.Error']
$status = if ($failed) { 'failed' } else { 'succeeded' }
$colour = if ($failed) { 'danger' } else { 'good' }
$project = $OctopusParameters['Octopus.Project.Name']
$release = $OctopusParameters['Octopus.Release.Number']
$text = "$project $release $status in $($OctopusParameters['Octopus.Environment.Name'])"
$body = @{
    channel = $OctopusParameters['Slack.Channel']
    username = $OctopusParameters['Slack.Username']
    attachments = @(@{ fallback = $text; color = $colour; text = $text })
} | ConvertTo-Json -Depth 4
$hook = $OctopusParameters['Slack.WebhookUrl']
Invoke-RestMethod -Method Post -Uri $hook -Body $body -ContentType 'application/json'
"""

_CLEAN_DIRECTORY_SCRIPT = r"""$keepDays = [int]$OctopusParameters['Clean.KeepDays']
$include = $OctopusParameters['Clean.Include'] -split ';' | Where-Object { $_ }
$cutoff = (Get-Date).AddDays(-$keepDays)
foreach ($root in ($OctopusParameters['Clean.Paths'] -split "`n" | Where-Object { $_.Trim() })) {
    if (-not (Test-Path $root)) { Write-Warning "$root does not exist"; continue }
    $files = Get-ChildItem $root -Recurse -File -Include $include
    $old = $files | Where-Object { $_.LastWriteTime -lt $cutoff }
    Write-Host "Removing $($old.Count) file(s) older than $keepDays day(s) from $root"
    if ($OctopusParameters['Clean.WhatIf'] -ne 'True') { $old | Remove-Item -Force }
}
"""

_CHECKBOX = "Checkbox"
_SENSITIVE = "Sensitive"


def _script_properties(script: str) -> dict[str, str]:
    return {
        "Octopus.Action.Script.ScriptSource": "Inline",
        "Octopus.Action.Script.Syntax": "PowerShell",
        "Octopus.Action.Script.ScriptBody": script,
    }


def _template(name: str, description: str, script: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Name": name,
        "Description": description,
        "ActionType": "Octopus.Script",
        "CommunityActionTemplateId": None,
        "Packages": [],
        "Properties": _script_properties(script),
        "Parameters": parameters,
    }


DEMO_TEMPLATES: list[dict[str, Any]] = [
    _template(
        "IIS - Ensure Application Pool",
        "Creates an IIS application pool if it is missing and applies runtime, start mode and identity.",
        _APP_POOL_SCRIPT,
        [
            template_parameter(
                "AppPool.Name", "Application pool name", "Name of the pool to create or update."
            ),
            template_parameter(
                "AppPool.Runtime",
                ".NET CLR version",
                "Managed runtime of the pool.",
                "v4.0",
                "Select",
                "v4.0|CLR v4.0\nNo Managed Code|No managed code (.NET Core)",
            ),
            template_parameter(
                "AppPool.StartMode",
                "Start mode",
                "OnDemand or AlwaysRunning.",
                "OnDemand",
                "Select",
                "OnDemand|On demand\nAlwaysRunning|Always running",
            ),
            template_parameter(
                "AppPool.Identity",
                "Identity",
                "Account the worker process runs as.",
                "ApplicationPoolIdentity",
                "Select",
                "ApplicationPoolIdentity|Application pool identity\nSpecificUser|Specific user",
            ),
            template_parameter("AppPool.User", "User name", "Only for a specific user identity."),
            template_parameter(
                "AppPool.Password", "Password", "Only for a specific user identity.", "", _SENSITIVE
            ),
        ],
    ),
    _template(
        "IIS - Ensure Website",
        "Creates an IIS website bound to an application pool and adds the listed bindings.",
        _WEBSITE_SCRIPT,
        [
            template_parameter("Site.Name", "Website name", "Name shown in IIS Manager."),
            template_parameter("Site.PhysicalPath", "Physical path", "Folder the site serves."),
            template_parameter("Site.AppPool", "Application pool", "Existing pool the site runs in."),
            template_parameter(
                "Site.Bindings", "Bindings", "protocol/ip:port:host entries, separated by ';'.", "http/*:80:"
            ),
        ],
    ),
    _template(
        "HTTP - Check Endpoint",
        "Polls a URL until it answers with the expected status code or the timeout passes.",
        _HTTP_CHECK_SCRIPT,
        [
            template_parameter("Check.Url", "URL", "Absolute URL to request."),
            template_parameter(
                "Check.ExpectedStatus", "Expected status", "HTTP status that means healthy.", "200"
            ),
            template_parameter(
                "Check.TimeoutSeconds", "Timeout (seconds)", "How long to keep trying.", "120"
            ),
            template_parameter(
                "Check.BearerToken",
                "Bearer token",
                "Sent as an Authorization header when set.",
                "",
                _SENSITIVE,
            ),
        ],
    ),
    _template(
        "SQL - Run Script",
        "Runs a T-SQL script against a SQL Server database.",
        _SQL_SCRIPT,
        [
            template_parameter(
                "Sql.ConnectionString", "Connection string", "ADO.NET connection string.", "", _SENSITIVE
            ),
            template_parameter("Sql.Script", "Script", "T-SQL to execute.", "SELECT 1", "MultiLineText"),
        ],
    ),
    _template(
        "Slack - Post Deployment Status",
        "Posts the deployment result to a Slack channel through an incoming webhook.",
        _SLACK_SCRIPT,
        [
            template_parameter(
                "Slack.WebhookUrl", "Webhook URL", "Incoming webhook of the Slack app.", "", _SENSITIVE
            ),
            template_parameter("Slack.Channel", "Channel", "Channel to post to, e.g. #deployments."),
            template_parameter("Slack.Username", "Post as", "Name shown as the sender.", "Octopus Deploy"),
        ],
    ),
    _template(
        "Files - Remove Old Files",
        "Deletes files older than a number of days from one or more folders.",
        _CLEAN_DIRECTORY_SCRIPT,
        [
            template_parameter("Clean.Paths", "Folders", "One folder per line.", "", "MultiLineText"),
            template_parameter("Clean.Include", "File patterns", "Patterns separated by ';'.", "*.log"),
            template_parameter("Clean.KeepDays", "Keep (days)", "Files newer than this are kept.", "14"),
            template_parameter(
                "Clean.WhatIf", "Dry run", "Only list what would be removed.", "False", _CHECKBOX
            ),
        ],
    ),
]

SQL_TEMPLATE = "SQL - Run Script"
SQL_TEMPLATE_FIRST = "SQL - Run Script (first version)"


def create_demo_templates(space: SpaceWriter) -> dict[str, dict[str, Any]]:
    """Create the templates; returns them by name (latest version).

    The SQL template is then changed twice (a timeout, then error handling), so the server holds three
    versions; its first version is also returned as ``SQL_TEMPLATE_FIRST``.
    """
    created = {body["Name"]: space.create("actiontemplates", body) for body in DEMO_TEMPLATES}
    first = created[SQL_TEMPLATE]
    created[SQL_TEMPLATE_FIRST] = first
    with_timeout = {
        **first,
        "Properties": {**first["Properties"], **_script_properties(_SQL_SCRIPT_WITH_TIMEOUT)},
        "Parameters": [
            *first["Parameters"],
            template_parameter("Sql.CommandTimeout", "Command timeout (seconds)", "0 waits forever.", "30"),
        ],
    }
    second = space.put(f"actiontemplates/{first['Id']}", with_timeout)
    with_error_handling = {
        **second,
        "Properties": {**second["Properties"], **_script_properties(_SQL_SCRIPT_WITH_ERROR_HANDLING)},
        "Parameters": [
            *second["Parameters"],
            template_parameter(
                "Sql.ContinueOnError",
                "Continue on error",
                "Log errors as warnings instead.",
                "False",
                _CHECKBOX,
            ),
        ],
    }
    created[SQL_TEMPLATE] = space.put(f"actiontemplates/{first['Id']}", with_error_handling)
    return created


def template_action_properties(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Action properties for a step that uses ``template`` at the version given, with parameter values.

    Parameters are addressed by name, like the portal does; sensitive values are SensitiveValue objects.
    """
    known = {parameter["Name"] for parameter in template["Parameters"]}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{template['Name']} has no parameter {', '.join(unknown)}")
    return {
        **template["Properties"],
        "Octopus.Action.Template.Id": template["Id"],
        "Octopus.Action.Template.Version": str(template["Version"]),
        **values,
    }
