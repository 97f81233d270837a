using Poddle.Contracts;

namespace Poddle.Client;

public sealed partial class PoddleClient
{
    public Task<BalanceResponse> GetBalanceAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/billing/balance", PoddleJsonContext.Default.BalanceResponse, cancellationToken);

    public Task<LedgerPageResponse> ListTransactionsAsync(int offset, int limit, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/billing/transactions?offset={offset}&limit={limit}", PoddleJsonContext.Default.LedgerPageResponse, cancellationToken);

    public Task<UsageResponse> GetUsageAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/billing/usage", PoddleJsonContext.Default.UsageResponse, cancellationToken);
}
