using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
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
