using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WipBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_accounts",
                columns: table => new
                {
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    balance_minor = table.Column<long>(type: "bigint", nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_accounts", x => x.owner_id);
                    table.ForeignKey(
                        name: "fk_billing_accounts_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rated_hours",
                columns: table => new
                {
                    hour_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rated_hours", x => x.hour_start);
                });

            migrationBuilder.CreateTable(
                name: "replica_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    replica_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_replica_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_replica_runs_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "usage_charges",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    hour_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    amount_minor = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    price_list_version = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    replica_seconds = table.Column<long>(type: "bigint", nullable: false),
                    cpu_millicore_seconds = table.Column<long>(type: "bigint", nullable: false),
                    memory_mb_seconds = table.Column<long>(type: "bigint", nullable: false),
                    ledger_entry_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_charges", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    amount_minor = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    balance_after_minor = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_ledger_entries_billing_accounts_owner_id",
                        column: x => x.owner_id,
                        principalTable: "billing_accounts",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_owner_id_sequence",
                table: "ledger_entries",
                columns: new[] { "owner_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_deployment_id",
                table: "replica_runs",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_replica_id_stopped_at",
                table: "replica_runs",
                columns: new[] { "replica_id", "stopped_at" });

            migrationBuilder.CreateIndex(
                name: "ix_replica_runs_started_at_stopped_at",
                table: "replica_runs",
                columns: new[] { "started_at", "stopped_at" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_charges_deployment_id_hour_start",
                table: "usage_charges",
                columns: new[] { "deployment_id", "hour_start" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_usage_charges_owner_id_hour_start",
                table: "usage_charges",
                columns: new[] { "owner_id", "hour_start" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "rated_hours");

            migrationBuilder.DropTable(
                name: "replica_runs");

            migrationBuilder.DropTable(
                name: "usage_charges");

            migrationBuilder.DropTable(
                name: "billing_accounts");
        }
    }
}
