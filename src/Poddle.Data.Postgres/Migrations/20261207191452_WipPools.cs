using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WipPools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pools",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    driver = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    spec_json = table.Column<string>(type: "text", nullable: false),
                    secrets_ciphertext = table.Column<byte[]>(type: "bytea", nullable: true),
                    min_workers = table.Column<int>(type: "integer", nullable: false),
                    max_workers = table.Column<int>(type: "integer", nullable: false),
                    scaler_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    scaler_value = table.Column<int>(type: "integer", nullable: false),
                    idle_timeout_seconds = table.Column<int>(type: "integer", nullable: false),
                    scale_up_window_seconds = table.Column<int>(type: "integer", nullable: false),
                    scale_down_window_seconds = table.Column<int>(type: "integer", nullable: false),
                    execution_timeout_seconds = table.Column<int>(type: "integer", nullable: false),
                    ttl_seconds = table.Column<int>(type: "integer", nullable: false),
                    max_retries = table.Column<int>(type: "integer", nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                name: "pool_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    pool_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    input_json = table.Column<string>(type: "text", nullable: false),
                    output_json = table.Column<string>(type: "text", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    webhook = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    execution_timeout_ms = table.Column<long>(type: "bigint", nullable: false),
                    worker_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    retries = table.Column<int>(type: "integer", nullable: false),
                    stream_chunks = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    timeout_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    delay_time_ms = table.Column<long>(type: "bigint", nullable: true),
                    execution_time_ms = table.Column<long>(type: "bigint", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    worker_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    pool_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                name: "pool_job_stream_chunks",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    output_json = table.Column<string>(type: "text", nullable: false),
                    delivered = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                name: "ix_pools_owner_id_name",
                table: "pools",
                columns: new[] { "owner_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pool_job_stream_chunks");

            migrationBuilder.DropTable(
                name: "pool_worker_keys");

            migrationBuilder.DropTable(
                name: "pool_jobs");

            migrationBuilder.DropTable(
                name: "pools");
        }
    }
}
