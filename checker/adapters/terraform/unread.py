"""Resource types known to hold user data: when no reader reads one, selecting it is an error.

A mapping rule declares that the resources it selects hold data. When it selects one of these,
dropping it would let a promise pass on the stores that remain ("chat logs are encrypted" with
the chat database left out), so the import reports it as an error at the resource: declared,
not evidenced. Types that hold no user data (IAM, networking, keys) are not listed and stay
ignored, as before.
"""

from __future__ import annotations

DATA_TYPES: frozenset[str] = frozenset(
    {
        # AWS
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_docdb_cluster",
        "aws_neptune_cluster",
        "aws_redshift_cluster",
        "aws_redshiftserverless_namespace",
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
        "aws_memorydb_cluster",
        "aws_opensearch_domain",
        "aws_elasticsearch_domain",
        "aws_cloudwatch_log_group",
        "aws_kinesis_stream",
        "aws_kinesis_firehose_delivery_stream",
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_efs_file_system",
        "aws_fsx_lustre_file_system",
        "aws_ebs_volume",
        "aws_backup_vault",
        "aws_glacier_vault",
        "aws_timestreamwrite_table",
        "aws_keyspaces_table",
        "aws_glue_catalog_table",
        "aws_athena_workgroup",
        "aws_msk_cluster",
        # Google Cloud
        "google_storage_bucket",
        "google_bigquery_dataset",
        "google_bigquery_table",
        "google_sql_database_instance",
        "google_spanner_database",
        "google_bigtable_instance",
        "google_firestore_database",
        "google_redis_instance",
        "google_pubsub_topic",
        "google_logging_project_bucket_config",
        # Azure
        "azurerm_storage_account",
        "azurerm_storage_container",
        "azurerm_mssql_database",
        "azurerm_postgresql_flexible_server",
        "azurerm_mysql_flexible_server",
        "azurerm_cosmosdb_account",
        "azurerm_redis_cache",
        "azurerm_log_analytics_workspace",
        "azurerm_eventhub",
    }
)
"""Types known to hold data. A type a reader reads may stay listed: the importer asks only about
resources no reader claimed."""

NAME_ATTRIBUTES = ("name", "bucket", "identifier", "cluster_identifier", "dataset_id", "table_id")
"""Where these types keep the name a rule's ``name`` pattern is matched against."""
