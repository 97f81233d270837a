using DnsClient;

namespace Poddle.Core.Deployments;

/// <summary>Reads DNS TXT records: the seam between domain verification and the real DNS (tests give a fake).</summary>
public interface IDnsTxtResolver
{
    /// <summary>The TXT strings published at <paramref name="name"/> (each record's strings joined); empty when there are none.</summary>
    Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken);
}

/// <summary>TXT lookups through the system's resolvers (DnsClient.NET), without caching, so a freshly published record is seen.</summary>
public sealed class DnsClientTxtResolver : IDnsTxtResolver
{
    private readonly LookupClient _client = new(new LookupClientOptions { UseCache = false, Timeout = TimeSpan.FromSeconds(5), Retries = 1, ThrowDnsErrors = false });

    public async Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _client.QueryAsync(name, QueryType.TXT, cancellationToken: cancellationToken);
        return response.HasError
            ? []
            : [.. response.Answers.TxtRecords().Select(r => string.Concat(r.Text))];
    }
}
