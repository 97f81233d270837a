using Poddle.Contracts;
using Poddle.Core.Billing;

namespace Poddle.Server.Endpoints;

/// <summary>Billing domain → contract.</summary>
internal static class BillingMappings
{
    public static BalanceResponse ToResponse(this BalanceView balance) =>
        new(balance.BalanceMinor, balance.Currency, MoneyFormat.Format(balance.BalanceMinor, balance.Currency), balance.Enabled,
            balance.HourlyMinor, balance.RunsOutAt, balance.Warning, balance.SuspendedAt, balance.UnratedMinor);

    public static LedgerEntryResponse ToResponse(this LedgerEntry entry) =>
        new(entry.Id, entry.Kind, entry.AmountMinor, entry.Currency, entry.BalanceAfterMinor, entry.Reason, entry.Reference, entry.ActorId, entry.CreatedAt);

    public static LedgerPageResponse ToResponse(this LedgerPage page) =>
        new([.. page.Entries.Select(e => e.ToResponse())], page.Total);

    public static UsageResponse ToResponse(this UsageReport report) => new(
        report.From,
        report.To,
        report.MonthEnd,
        report.Currency,
        report.AmountMinor,
        report.EstimateMinor,
        [.. report.Deployments.Select(d => new DeploymentUsageResponse(d.DeploymentId, d.Name, d.AmountMinor, d.HourlyMinor, d.EstimateMinor, d.ReplicaSeconds, d.CpuMillicoreSeconds, d.MemoryMbSeconds))]);
}
