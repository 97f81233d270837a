using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PoolsAndBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_accounts",
                columns: table => new
                {
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    balance_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    last_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_accounts", x => x.owner_id);
                    table.ForeignKey(
                        name: "fk_billing_accounts_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pools",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    driver = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    spec_json = table.Column<string>(type: "TEXT", nullable: false),
                    secrets_ciphertext = table.Column<byte[]>(type: "BLOB", nullable: true),
                    min_workers = table.Column<int>(type: "INTEGER", nullable: false),
                    max_workers = table.Column<int>(type: "INTEGER", nullable: false),
                    scaler_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    scaler_value = table.Column<int>(type: "INTEGER", nullable: false),
                    idle_timeout_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    scale_up_window_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    scale_down_window_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    execution_timeout_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    ttl_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    max_retries = table.Column<int>(type: "INTEGER", nullable: false),
                    generation = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pools", x => x.id);
                    table.ForeignKey(
                        name: "fk_pools_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rated_hours",
                columns: table => new
                {
                    hour_start = table.Column<long>(type: "INTEGER", nullable: false),
                    rated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rated_hours", x => x.hour_start);
                });

            migrationBuilder.CreateTable(
                name: "replica_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    replica_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    stopped_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_replica_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_replica_runs_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "usage_charges",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    hour_start = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    price_list_version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    replica_seconds = table.Column<long>(type: "INTEGER", nullable: false),
                    cpu_millicore_seconds = table.Column<long>(type: "INTEGER", nullable: false),
                    memory_mb_seconds = table.Column<long>(type: "INTEGER", nullable: false),
                    ledger_entry_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_charges", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    amount_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    balance_after_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    actor_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_ledger_entries_billing_accounts_owner_id",
                        column: x => x.owner_id,
                        principalTable: "billing_accounts",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    worker_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    inputs_json = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_pool_events_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    input_json = table.Column<string>(type: "TEXT", nullable: false),
                    output_json = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    webhook = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    execution_timeout_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    worker_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    retries = table.Column<int>(type: "INTEGER", nullable: false),
                    stream_chunks = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    timeout_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    delay_time_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    execution_time_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_pool_jobs_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_worker_keys",
                columns: table => new
                {
                    worker_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_worker_keys", x => x.worker_id);
                    table.ForeignKey(
                        name: "fk_pool_worker_keys_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_workers",
                columns: table => new
                {
                    worker_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    driver = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    pod_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    pod_state_version = table.Column<int>(type: "INTEGER", nullable: false),
                    pod_state = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    state_changed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_ping_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_workers", x => x.worker_id);
                    table.ForeignKey(
                        name: "fk_pool_workers_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_job_stream_chunks",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    output_json = table.Column<string>(type: "TEXT", nullable: false),
                    delivered = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_job_stream_chunks", x => new { x.job_id, x.sequence });
                    table.ForeignKey(
                        name: "fk_pool_job_stream_chunks_pool_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "pool_jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_owner_id_sequence",
                table: "ledger_entries",
                columns: new[] { "owner_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pool_events_pool_id_at",
                table: "pool_events",
                columns: new[] { "pool_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_jobs_expires_at",
                table: "pool_jobs",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_pool_jobs_pool_id_status_queued_at",
                table: "pool_jobs",
                columns: new[] { "pool_id", "status", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_jobs_worker_id_status",
                table: "pool_jobs",
                columns: new[] { "worker_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_worker_keys_key_hash",
                table: "pool_worker_keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pool_worker_keys_pool_id",
                table: "pool_worker_keys",
                column: "pool_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_workers_pool_id_state",
                table: "pool_workers",
                columns: new[] { "pool_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_pools_owner_id_name",
                table: "pools",
                columns: new[] { "owner_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_deployment_id",
                table: "replica_runs",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_replica_id_stopped_at",
                table: "replica_runs",
                columns: new[] { "replica_id", "stopped_at" });

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_started_at_stopped_at",
                table: "replica_runs",
                columns: new[] { "started_at", "stopped_at" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_charges_deployment_id_hour_start",
                table: "usage_charges",
                columns: new[] { "deployment_id", "hour_start" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_usage_charges_owner_id_hour_start",
                table: "usage_charges",
                columns: new[] { "owner_id", "hour_start" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "pool_events");

            migrationBuilder.DropTable(
                name: "pool_job_stream_chunks");

            migrationBuilder.DropTable(
                name: "pool_worker_keys");

            migrationBuilder.DropTable(
                name: "pool_workers");

            migrationBuilder.DropTable(
                name: "rated_hours");

            migrationBuilder.DropTable(
                name: "replica_runs");

            migrationBuilder.DropTable(
                name: "usage_charges");

            migrationBuilder.DropTable(
                name: "billing_accounts");

            migrationBuilder.DropTable(
                name: "pool_jobs");

            migrationBuilder.DropTable(
                name: "pools");
        }
    }
}
