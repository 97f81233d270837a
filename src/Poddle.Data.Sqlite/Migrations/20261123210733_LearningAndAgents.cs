using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LearningAndAgents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "classes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    teacher_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    join_code = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_classes", x => x.id);
                    table.ForeignKey(
                        name: "fk_classes_users_teacher_id",
                        column: x => x.teacher_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

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
                name: "problem_progress",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    problem_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    best_pass_rate = table.Column<double>(type: "REAL", nullable: false),
                    first_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    solved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    solved_by_submission_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_problem_progress", x => new { x.user_id, x.problem_id });
                });

            migrationBuilder.CreateTable(
                name: "replica_agents",
                columns: table => new
                {
                    replica_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    issued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_heartbeat_at = table.Column<long>(type: "INTEGER", nullable: true),
                    report_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    report_json = table.Column<string>(type: "TEXT", nullable: true),
                    agent_version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    heartbeats = table.Column<long>(type: "INTEGER", nullable: false),
                    lost_at = table.Column<long>(type: "INTEGER", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "submissions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rate_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    problem_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    problem_version = table.Column<int>(type: "INTEGER", nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    result_json = table.Column<string>(type: "TEXT", nullable: true),
                    passed = table.Column<int>(type: "INTEGER", nullable: true),
                    total = table.Column<int>(type: "INTEGER", nullable: true),
                    pass_rate = table.Column<double>(type: "REAL", nullable: true),
                    all_passed = table.Column<bool>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_submissions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "class_members",
                columns: table => new
                {
                    class_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    joined_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_class_members", x => new { x.class_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_class_members_classes_class_id",
                        column: x => x.class_id,
                        principalTable: "classes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_class_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
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
                name: "ix_class_members_user_id",
                table: "class_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_classes_join_code",
                table: "classes",
                column: "join_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_classes_teacher_id",
                table: "classes",
                column: "teacher_id");

            migrationBuilder.CreateIndex(
                name: "ix_curriculum_problems_author_id",
                table: "curriculum_problems",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_replica_agents_last_heartbeat_at",
                table: "replica_agents",
                column: "last_heartbeat_at");

            migrationBuilder.CreateIndex(
                name: "ix_replica_agents_token_hash",
                table: "replica_agents",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_submissions_owner_id_created_at",
                table: "submissions",
                columns: new[] { "owner_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_submissions_owner_id_problem_id_created_at",
                table: "submissions",
                columns: new[] { "owner_id", "problem_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_submissions_rate_key_created_at",
                table: "submissions",
                columns: new[] { "rate_key", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_submissions_status",
                table: "submissions",
                column: "status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "class_members");

            migrationBuilder.DropTable(
                name: "curriculum_levels");

            migrationBuilder.DropTable(
                name: "curriculum_problem_versions");

            migrationBuilder.DropTable(
                name: "problem_progress");

            migrationBuilder.DropTable(
                name: "replica_agents");

            migrationBuilder.DropTable(
                name: "submissions");

            migrationBuilder.DropTable(
                name: "classes");

            migrationBuilder.DropTable(
                name: "curriculum_problems");
        }
    }
}
