using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WIPContent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "curriculum_levels",
                columns: table => new
                {
                    age_group = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    sessions_json = table.Column<string>(type: "TEXT", nullable: false),
                    cheatsheet = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_curriculum_levels", x => new { x.age_group, x.number });
                });

            migrationBuilder.CreateTable(
                name: "curriculum_problems",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    current_version = table.Column<int>(type: "INTEGER", nullable: false),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    origin = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    author_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_curriculum_problems", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "curriculum_problem_versions",
                columns: table => new
                {
                    problem_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    public_tests = table.Column<int>(type: "INTEGER", nullable: false),
                    hidden_tests = table.Column<int>(type: "INTEGER", nullable: false),
                    content_json = table.Column<string>(type: "TEXT", nullable: false),
                    author_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_curriculum_problem_versions", x => new { x.problem_id, x.version });
                    table.ForeignKey(
                        name: "fk_curriculum_problem_versions_curriculum_problems_problem_id",
                        column: x => x.problem_id,
                        principalTable: "curriculum_problems",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_curriculum_problems_author_id",
                table: "curriculum_problems",
                column: "author_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "curriculum_levels");

            migrationBuilder.DropTable(
                name: "curriculum_problem_versions");

            migrationBuilder.DropTable(
                name: "curriculum_problems");
        }
    }
}
