using System.Net;
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
    private readonly LookupClient _client;

    /// <summary>Asks the system's name servers (/etc/resolv.conf).</summary>
    public DnsClientTxtResolver()
        : this([])
    {
    }

    /// <summary>Asks these name servers (the system's when empty).</summary>
    public DnsClientTxtResolver(IReadOnlyList<IPEndPoint> nameServers)
    {
        var options = nameServers.Count == 0 ? new LookupClientOptions() : new LookupClientOptions([.. nameServers]);
        options.UseCache = false;
        options.Timeout = TimeSpan.FromSeconds(5);
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        _client = new LookupClient(options);
    }

    public async Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _client.QueryAsync(name, QueryType.TXT, cancellationToken: cancellationToken);
        return response.HasError
            ? []
            : [.. response.Answers.TxtRecords().Select(r => string.Concat(r.Text))];
    }
}
