using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WipPoolRuntime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.CreateIndex(
                name: "ix_pool_events_pool_id_at",
                table: "pool_events",
                columns: new[] { "pool_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_workers_pool_id_state",
                table: "pool_workers",
                columns: new[] { "pool_id", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pool_events");

            migrationBuilder.DropTable(
                name: "pool_workers");
        }
    }
}
