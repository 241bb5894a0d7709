"""The ARM client and the translation of ARM failures into one-line PlatformErrors.

Every call to Azure goes through `arm_errors`, so a missing login, an unknown subscription, a quota
or validation error comes out as `<what failed>: <ARM code>: <ARM message> (fix: ...)`, never as a
traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.mgmt.containerservice import ContainerServiceClient

from platformctl.errors import PlatformError

_QUOTA_FIX = "request a vCPU quota increase for the VM family, or lower vmSize/maxCount in {file}"
#: Fixes for ARM error codes a person can act on (quota, subscription, permissions, validation).
_FIXES = {
    "SubscriptionNotFound": "check spec.subscriptionId in {file} against `az account list`",
    "InvalidSubscriptionId": "check spec.subscriptionId in {file} against `az account list`",
    "ResourceGroupNotFound": "create the resource group first: `az group create -n <spec.resourceGroup> -l <location>`",
    "AuthorizationFailed": "grant your identity Azure Kubernetes Service Contributor on the resource group",
    "QuotaExceeded": _QUOTA_FIX,
    "ErrCode_InsufficientVCPUQuota": _QUOTA_FIX,
    "OperationNotAllowed": "request a quota increase, or lower vmSize/maxCount in {file}",
    "InvalidParameter": "correct the field ARM names in {file} (see `platformctl aks plan`)",
    "BadRequest": "correct the field ARM names in {file} (see `platformctl aks plan`)",
    "AgentPoolK8sVersionNotSupported": "pick a Kubernetes version `az aks get-versions -l <location>` lists",
    "VersionNotSupported": "pick a Kubernetes version `az aks get-versions -l <location>` lists",
}
_DEFAULT_FIX = "read the ARM message above; the request bodies are printed by `platformctl aks plan`"


def default_credential() -> TokenCredential:
    """DefaultAzureCredential: `az login` for people, workload identity / environment variables in CI.

    Set AZURE_TOKEN_CREDENTIALS (azure-identity's own switch) to restrict the chain.
    """
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True)


def make_client(
    subscription_id: str,
    *,
    credential: TokenCredential | None = None,
    endpoint: str | None = None,
    **pipeline_options: Any,
) -> ContainerServiceClient:
    """A ContainerServiceClient; DefaultAzureCredential unless a credential is given (tests pass a fake one).

    `endpoint` replaces the public ARM endpoint (sovereign clouds, or the replay server in tests);
    `pipeline_options` go to the SDK pipeline unchanged (e.g. `connection_verify`, `polling_interval`).
    """
    # azure-identity logs every failed credential of the chain as a multi-line warning; the one-line
    # PlatformError from `arm_errors` says what matters and how to fix it.
    logging.getLogger("azure").setLevel(logging.ERROR)
    credential = credential or default_credential()
    if endpoint:
        return ContainerServiceClient(credential, subscription_id, base_url=endpoint, **pipeline_options)
    return ContainerServiceClient(credential, subscription_id, **pipeline_options)


def error_code_and_message(error: HttpResponseError) -> tuple[str, str]:
    """The ARM error code and message of a failed response (ODataV4 `error` object or bare body)."""
    odata = getattr(error, "error", None)
    code = getattr(odata, "code", None)
    message = getattr(odata, "message", None)
    if not code and error.response is not None:
        try:
            body = error.response.json()
        except (ValueError, AttributeError):
            body = None
        if isinstance(body, dict):
            inner = body.get("error", body)
            if isinstance(inner, dict):
                code, message = inner.get("code"), inner.get("message")
    if not code:
        status = error.status_code or "no status"
        return f"HTTP {status}", (error.reason or str(error).splitlines()[0])
    return str(code), " ".join(str(message or "").split())


@contextmanager
def arm_errors(action: str, *, cluster_file: str) -> Iterator[None]:
    """Turn Azure SDK exceptions raised while doing `action` into PlatformErrors."""
    try:
        yield
    except ClientAuthenticationError as error:
        # Raised both when no credential source works (CredentialUnavailableError) and on HTTP 401.
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PlatformError(
            f"{action}: no usable Azure credentials: {first_line}",
            fix="run `az login` (people) or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE (CI)",
        ) from None
    except HttpResponseError as error:
        code, message = error_code_and_message(error)
        fix = _FIXES.get(code, _DEFAULT_FIX).format(file=cluster_file)
        raise PlatformError(f"{action}: ARM error {code}: {message}", fix=fix) from None
    except (ServiceRequestError, ServiceResponseError) as error:
        raise PlatformError(
            f"{action}: cannot reach Azure Resource Manager: {str(error).splitlines()[0]}",
            fix="check the network/proxy, or the ARM endpoint",
        ) from None
