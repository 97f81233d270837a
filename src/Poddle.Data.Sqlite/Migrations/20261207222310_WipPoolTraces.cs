using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Poddle.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WipPoolTraces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "pool_jobs",
                type: "TEXT",
                maxLength: 128,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "pool_jobs");
        }
    }
}
