using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PoolWorkerRunBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pool_worker_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    pool_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pool_name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    worker_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    cpu_millicores = table.Column<int>(type: "integer", nullable: false),
                    memory_mb = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_worker_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pool_worker_runs_started_at_stopped_at",
                table: "pool_worker_runs",
                columns: new[] { "started_at", "stopped_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_worker_runs_worker_id_stopped_at",
                table: "pool_worker_runs",
                columns: new[] { "worker_id", "stopped_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pool_worker_runs");
        }
    }
}
