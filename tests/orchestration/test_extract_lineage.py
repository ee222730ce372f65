"""The extract stage sits between the NLP tables and the dbt marts in the asset graph."""

from __future__ import annotations

import dagster as dg


def test_pledge_and_event_lineage(dbt_manifest):
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()

    def parents(*key: str) -> set[dg.AssetKey]:
        return set(graph.get(dg.AssetKey(list(key))).parent_keys)

    # NLP stage -> clustering assets
    assert dg.AssetKey(["lake", "aid_pledge_mentions"]) in parents("lake", "aid_pledges")
    assert dg.AssetKey(["lake", "event_mentions"]) in parents("lake", "events")
    # clustering assets -> dbt sources -> staging -> contract marts
    assert dg.AssetKey(["lake", "aid_pledges"]) in parents("staging", "stg_aid_pledges")
    assert dg.AssetKey(["lake", "events"]) in parents("staging", "stg_events")
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    for mart in [
        "fct_events",
        "fct_event_mentions",
        "fct_aid_pledges",
        "fct_aid_pledge_mentions",
        "mart_aid_pledge_summary",
        "mart_actor_interactions",
    ]:
        assert mart in keys
    assert graph.get(dg.AssetKey(["lake", "aid_pledges"])).group_name == "extract"
