using System.Text;

namespace Poddle.Drivers.Abstractions.Host;

/// <summary>A chain of an <see cref="NftablesTable"/>: a base chain when <paramref name="Hook"/> is given.</summary>
/// <param name="Name">The chain's name.</param>
/// <param name="Hook">For a base chain, its declaration, e.g. "type filter hook input priority filter - 5; policy accept;".</param>
/// <param name="Rules">The chain's rules in nft's syntax, in order.</param>
public sealed record NftablesChain(string Name, string? Hook, IReadOnlyList<string> Rules);

/// <summary>A named set of an <see cref="NftablesTable"/>, e.g. ports of type inet_service.</summary>
/// <param name="Name">The set's name.</param>
/// <param name="Type">Its element type, e.g. "inet_service" or "ifname . ifname".</param>
/// <param name="Options">More of its declaration, e.g. "flags dynamic,timeout; timeout 1h;" for a set the packet path fills.</param>
public sealed record NftablesSet(string Name, string Type, string? Options = null);

/// <summary>
/// One nftables table that Poddle owns (e.g. <c>inet poddle_docker</c>), shared by every Poddle server on the host. Each
/// apply is one nft transaction, so there is never a moment with half the rules: the table, its sets and chains are
/// declared (made when missing), the chains emptied and filled again, and this server's elements added to the sets.
/// Elements other servers added stay (their agent ports, say), so servers sharing a host never undo each other.
/// Rules in a table of their own are independent of Docker's and the distribution's (iptables-nft included): a packet
/// is dropped when any table's base chain drops it, so these rules hold whatever the others accept.
/// </summary>
public sealed class NftablesTable
{
    /// <summary>Where Debian's nftables package puts the tool.</summary>
    public const string DefaultNftPath = "/usr/sbin/nft";

    private readonly string _nftPath;

    /// <summary>A table of <paramref name="family"/> (inet, ip, ip6) named <paramref name="name"/> (letters, digits, _).</summary>
    public NftablesTable(string family, string name, string nftPath = DefaultNftPath)
    {
        if (!IsIdentifier(family) || !IsIdentifier(name))
        {
            throw new ArgumentException("an nftables family and table name are letters, digits and '_'");
        }

        Family = family;
        Name = name;
        _nftPath = nftPath;
    }

    /// <summary>The table's family.</summary>
    public string Family { get; }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>Whether the nft tool is installed.</summary>
    public bool ToolExists => File.Exists(_nftPath);

    /// <summary>
    /// Puts <paramref name="chains"/> and <paramref name="sets"/> in place as one transaction and adds
    /// <paramref name="elements"/> (set name → elements) to the sets. Throws <see cref="InvalidOperationException"/> with
    /// nft's message on failure.
    /// </summary>
    public async Task ApplyAsync(
        IReadOnlyList<NftablesSet> sets, IReadOnlyList<NftablesChain> chains, IReadOnlyDictionary<string, IReadOnlyList<string>> elements, CancellationToken cancellationToken)
    {
        var result = await HostTool.RunAsync(_nftPath, ["-f", "-"], Script(sets, chains, elements), cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"nft could not apply table {Family} {Name}: {result.Describe()}");
        }
    }

    /// <summary>Takes <paramref name="elements"/> out of <paramref name="set"/>; elements (or a table) that are not there are no error.</summary>
    public async Task RemoveElementsAsync(string set, IReadOnlyList<string> elements, CancellationToken cancellationToken)
    {
        foreach (var element in elements)
        {
            // One by one: nft refuses a whole command when one element of it is missing.
            _ = await HostTool.RunAsync(_nftPath, ["delete", "element", Family, Name, set, "{ " + element + " }"], cancellationToken: cancellationToken);
        }
    }

    /// <summary>Whether the table is in the kernel now (someone may have flushed the ruleset).</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        (await HostTool.RunAsync(_nftPath, ["list", "table", Family, Name], cancellationToken: cancellationToken)).Succeeded;

    /// <summary>The nft script of <see cref="ApplyAsync"/>.</summary>
    internal string Script(IReadOnlyList<NftablesSet> sets, IReadOnlyList<NftablesChain> chains, IReadOnlyDictionary<string, IReadOnlyList<string>> elements)
    {
        var table = $"{Family} {Name}";
        var script = new StringBuilder();
        script.Append("table ").Append(table).Append(" {\n");
        foreach (var set in sets)
        {
            script.Append("  set ").Append(set.Name).Append(" { type ").Append(set.Type).Append("; ");
            if (set.Options is not null)
            {
                script.Append(set.Options).Append(' ');
            }

            script.Append("}\n");
        }

        foreach (var chain in chains)
        {
            script.Append("  chain ").Append(chain.Name).Append(" { ").Append(chain.Hook).Append(" }\n");
        }

        script.Append("}\n");
        foreach (var chain in chains)
        {
            script.Append("flush chain ").Append(table).Append(' ').Append(chain.Name).Append('\n');
            foreach (var rule in chain.Rules)
            {
                script.Append("add rule ").Append(table).Append(' ').Append(chain.Name).Append(' ').Append(rule).Append('\n');
            }
        }

        foreach (var (set, values) in elements)
        {
            if (values.Count > 0)
            {
                script.Append("add element ").Append(table).Append(' ').Append(set).Append(" { ").Append(string.Join(", ", values)).Append(" }\n");
            }
        }

        return script.ToString();
    }

    private static bool IsIdentifier(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
