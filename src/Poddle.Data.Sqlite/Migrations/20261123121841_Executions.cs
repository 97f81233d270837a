using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
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
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    rate_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    files_json = table.Column<string>(type: "TEXT", nullable: false),
                    stdin = table.Column<byte[]>(type: "BLOB", nullable: false),
                    args_json = table.Column<string>(type: "TEXT", nullable: false),
                    cpu_limit_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    wall_limit_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    memory_limit_mb = table.Column<int>(type: "INTEGER", nullable: false),
                    compile_cpu_limit_ms = table.Column<int>(type: "INTEGER", nullable: true),
                    compile_wall_limit_ms = table.Column<int>(type: "INTEGER", nullable: true),
                    compile_memory_limit_mb = table.Column<int>(type: "INTEGER", nullable: true),
                    verdict = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    result_json = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
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
