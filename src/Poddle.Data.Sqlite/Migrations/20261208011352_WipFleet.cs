using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WipFleet : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "budget_per_hour",
                table: "pools",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "budget_per_hour",
                table: "pools");
        }
    }
}
