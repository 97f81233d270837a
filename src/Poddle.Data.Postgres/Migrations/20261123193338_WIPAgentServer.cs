using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WIPAgentServer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "replica_agents",
                columns: table => new
                {
                    replica_id = table.Column<Guid>(type: "uuid", nullable: false),
                    token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    report_status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    report_json = table.Column<string>(type: "text", nullable: true),
                    agent_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    heartbeats = table.Column<long>(type: "bigint", nullable: false),
                    lost_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_replica_agents", x => x.replica_id);
                    table.ForeignKey(
                        name: "fk_replica_agents_replicas_replica_id",
                        column: x => x.replica_id,
                        principalTable: "replicas",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_replica_agents_last_heartbeat_at",
                table: "replica_agents",
                column: "last_heartbeat_at");

            migrationBuilder.CreateIndex(
                name: "ix_replica_agents_token_hash",
                table: "replica_agents",
                column: "token_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "replica_agents");
        }
    }
}
