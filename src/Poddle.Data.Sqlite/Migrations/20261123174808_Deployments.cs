using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Deployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    driver = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    replicas = table.Column<int>(type: "INTEGER", nullable: false),
                    current_revision = table.Column<int>(type: "INTEGER", nullable: false),
                    stable_revision = table.Column<int>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    status_changed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    generation = table.Column<long>(type: "INTEGER", nullable: false),
                    observed_generation = table.Column<long>(type: "INTEGER", nullable: false),
                    restart_requested_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_notified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployments", x => x.id);
                    table.ForeignKey(
                        name: "fk_deployments_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "source_bundles",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_source_bundles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "custom_domains",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    hostname = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    verification_token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    verified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    verified_by = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_custom_domains", x => x.id);
                    table.ForeignKey(
                        name: "fk_custom_domains_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deployment_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    replica_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false),
                    first_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployment_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_deployment_events_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deployment_revisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    spec_json = table.Column<string>(type: "TEXT", nullable: false),
                    secrets_ciphertext = table.Column<byte[]>(type: "BLOB", nullable: true),
                    cause = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployment_revisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_deployment_revisions_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "replicas",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    driver = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ready = table.Column<bool>(type: "INTEGER", nullable: false),
                    pod_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    pod_state_version = table.Column<int>(type: "INTEGER", nullable: false),
                    pod_state = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    endpoint_host = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    endpoint_port = table.Column<int>(type: "INTEGER", nullable: true),
                    restarts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_exit_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    last_exit_at = table.Column<long>(type: "INTEGER", nullable: true),
                    next_restart_at = table.Column<long>(type: "INTEGER", nullable: true),
                    crash_streak = table.Column<int>(type: "INTEGER", nullable: false),
                    probe_failures = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ready_since = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_replicas", x => x.id);
                    table.ForeignKey(
                        name: "fk_replicas_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_custom_domains_deployment_id",
                table: "custom_domains",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_custom_domains_hostname",
                table: "custom_domains",
                column: "hostname",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deployment_events_deployment_id_last_seen_at",
                table: "deployment_events",
                columns: new[] { "deployment_id", "last_seen_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deployment_revisions_deployment_id_number",
                table: "deployment_revisions",
                columns: new[] { "deployment_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deployments_owner_id_project_id",
                table: "deployments",
                columns: new[] { "owner_id", "project_id" });

            migrationBuilder.CreateIndex(
                name: "ix_deployments_project_id_name",
                table: "deployments",
                columns: new[] { "project_id", "name" },
                unique: true,
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deployments_status",
                table: "deployments",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ix_replicas_deployment_id_phase",
                table: "replicas",
                columns: new[] { "deployment_id", "phase" });

            migrationBuilder.CreateIndex(
                name: "ix_replicas_driver_pod_id",
                table: "replicas",
                columns: new[] { "driver", "pod_id" });

            migrationBuilder.CreateIndex(
                name: "ix_source_bundles_owner_id",
                table: "source_bundles",
                column: "owner_id");
                    // Outside the EF model: the controller reads and writes these with plain SQL (ControllerStore): the
            // installation id that labels every pod, and the controller's leadership lease.
            migrationBuilder.Sql("CREATE TABLE poddle_settings (key VARCHAR(100) NOT NULL PRIMARY KEY, value VARCHAR(4000) NOT NULL)");
            migrationBuilder.Sql("CREATE TABLE poddle_leases (name VARCHAR(100) NOT NULL PRIMARY KEY, owner VARCHAR(200) NOT NULL, expires_at_ms BIGINT NOT NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE poddle_leases");
            migrationBuilder.Sql("DROP TABLE poddle_settings");

            migrationBuilder.DropTable(
                name: "custom_domains");

            migrationBuilder.DropTable(
                name: "deployment_events");

            migrationBuilder.DropTable(
                name: "deployment_revisions");

            migrationBuilder.DropTable(
                name: "replicas");

            migrationBuilder.DropTable(
                name: "source_bundles");

            migrationBuilder.DropTable(
                name: "deployments");
        }
    }
}
