"""Every change to the catalogue: one function per action, audited in its transaction.

Each dataset change also bumps the catalogue revision (the search index follows it) and stores a
version of the dataset's metadata. Files reach the public storage target only after the commit
that made their dataset public (``relocate_files``), and leave it when the dataset stops being
public. One module per concept; this package exposes them all.
"""

from civitas.opendata.services.base import PIPELINE, PIPELINE_LABEL, relocate_files
from civitas.opendata.services.datasets import Saved, create_dataset, delete_dataset, update_dataset
from civitas.opendata.services.datastore import datastore_create, datastore_upsert
from civitas.opendata.services.publication import (
    STATISTICS_DATASET,
    publish_sources,
    publish_statistics,
)
from civitas.opendata.services.publishers import (
    add_member,
    create_group,
    create_organization,
    delete_group,
    delete_organization,
    ensure_group,
    ensure_organization,
    remove_member,
    save_member,
    update_group,
    update_organization,
)
from civitas.opendata.services.resources import check_links, create_resource, record_link_check
from civitas.opendata.services.tables import publish_table
from civitas.opendata.services.tokens import create_token, note_token_use, revoke_token

__all__ = [
    "PIPELINE",
    "PIPELINE_LABEL",
    "STATISTICS_DATASET",
    "Saved",
    "add_member",
    "check_links",
    "create_dataset",
    "create_group",
    "create_organization",
    "create_resource",
    "create_token",
    "datastore_create",
    "datastore_upsert",
    "delete_dataset",
    "delete_group",
    "delete_organization",
    "ensure_group",
    "ensure_organization",
    "note_token_use",
    "publish_sources",
    "publish_statistics",
    "publish_table",
    "record_link_check",
    "relocate_files",
    "remove_member",
    "revoke_token",
    "save_member",
    "update_dataset",
    "update_group",
    "update_organization",
]
