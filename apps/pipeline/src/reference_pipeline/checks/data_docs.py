"""Great Expectations Data Docs: a static site of the last validation of every suite.

Built by GE into a folder (`TupleFilesystemStoreBackend`: GE 1.x ships no cloud store backend). Locally the
folder is `PIPELINE_DATA_DOCS_DIR` (default `<PIPELINE_WORK_DIR>/data_docs`); in the cluster the site is also
uploaded to Azure Blob Storage (`PIPELINE_DATA_DOCS_ACCOUNT_URL`, container `PIPELINE_DATA_DOCS_CONTAINER`,
default `data-docs`, a private container: not `$web`, whose static website would publish the samples) with
the pod's workload identity (`DefaultAzureCredential`): no key or SAS token anywhere.
"""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path
from typing import Any

SITE = "pipeline"


def site_config(directory: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
    }


def reset(directory: Path) -> None:
    """Empty the site folder: the site shows the last validation, not pages of runs GE no longer knows."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def upload(directory: Path, account_url: str, container: str) -> str:
    """Upload the site to a blob container (index last, so it never links pages not yet there); its URL."""
    from azure.identity import DefaultAzureCredential
    from azure.storage.blob import ContainerClient, ContentSettings

    files = sorted(path for path in directory.rglob("*") if path.is_file())
    files.sort(key=lambda path: path == directory / "index.html")
    with (
        DefaultAzureCredential() as credential,
        ContainerClient(account_url, container, credential=credential) as client,
    ):
        for path in files:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            with path.open("rb") as data:
                client.upload_blob(
                    path.relative_to(directory).as_posix(),
                    data,
                    overwrite=True,
                    content_settings=ContentSettings(content_type=kind),
                )
    return f"{account_url.rstrip('/')}/{container}/index.html"
