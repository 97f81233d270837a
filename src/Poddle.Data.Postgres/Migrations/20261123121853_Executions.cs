using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Executions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "executions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    rate_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    language = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    files_json = table.Column<string>(type: "text", nullable: false),
                    stdin = table.Column<byte[]>(type: "bytea", nullable: false),
                    args_json = table.Column<string>(type: "text", nullable: false),
                    cpu_limit_ms = table.Column<int>(type: "integer", nullable: false),
                    wall_limit_ms = table.Column<int>(type: "integer", nullable: false),
                    memory_limit_mb = table.Column<int>(type: "integer", nullable: false),
                    compile_cpu_limit_ms = table.Column<int>(type: "integer", nullable: true),
                    compile_wall_limit_ms = table.Column<int>(type: "integer", nullable: true),
                    compile_memory_limit_mb = table.Column<int>(type: "integer", nullable: true),
                    verdict = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    result_json = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_executions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_executions_completed_at",
                table: "executions",
                column: "completed_at");

            migrationBuilder.CreateIndex(
                name: "ix_executions_created_at",
                table: "executions",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_executions_owner_id_created_at",
                table: "executions",
                columns: new[] { "owner_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_executions_rate_key_created_at",
                table: "executions",
                columns: new[] { "rate_key", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_executions_status",
                table: "executions",
                column: "status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "executions");
        }
    }
}
