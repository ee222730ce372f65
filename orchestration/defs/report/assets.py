"""The run report asset (logic in transforms/report.py)."""

import dagster as dg

from orchestration.settings import NewsledgerSettings
from transforms.report import write_report

PUBLISHED = dg.AssetKey(["published", "analytics_duckdb"])


@dg.asset(
    key=["published", "report_html"],
    deps=[PUBLISHED],
    group_name="publish",
    kinds={"html", "svg"},
    description="warehouse/report.html: self-contained charts of the published warehouse, each "
    "linked to the articles behind it.",
)
def report_html(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    report = write_report(settings.published_db, settings.report_path)
    for key, error in report.errors.items():
        context.log.warning(f"report figure {key} could not be drawn: {error}")
    missing = {f.key: f.missing for f in report.figures if f.missing}
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.report_path)),
            "marks_per_figure": dg.MetadataValue.json(report.marks),
            "figures_missing_tables": dg.MetadataValue.json(missing),
            "figures_failed": dg.MetadataValue.json(report.errors),
            "size_bytes": dg.MetadataValue.int(len(report.html.encode())),
        }
    )


defs = dg.Definitions(assets=[report_html])
