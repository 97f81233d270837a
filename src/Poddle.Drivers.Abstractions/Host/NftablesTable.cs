namespace Poddle.Drivers.Abstractions.Host;

/// <summary>
/// One nftables table that a driver owns alone (e.g. <c>inet poddle_docker</c>), replaced as a whole and atomically:
/// nft applies a script in one transaction, so there is never a moment with half the rules. Rules in a table of its
/// own are independent of Docker's and the distribution's (iptables-nft included): a packet is dropped when any
/// table's base chain drops it, so these rules hold whatever the others accept.
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
    /// Replaces the table by one holding <paramref name="body"/> (chains and rules in nft's syntax, without the
    /// surrounding <c>table</c> block). Throws <see cref="InvalidOperationException"/> with nft's message on failure.
    /// </summary>
    public async Task ApplyAsync(string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        // "table" first creates it when missing, so "delete" never fails; both and the new table are one transaction.
        var script = $"table {Family} {Name}\ndelete table {Family} {Name}\ntable {Family} {Name} {{\n{body}\n}}\n";
        var result = await HostTool.RunAsync(_nftPath, ["-f", "-"], script, cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"nft could not apply table {Family} {Name}: {result.Describe()}");
        }
    }

    /// <summary>Whether the table is in the kernel now (someone may have flushed the ruleset).</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        (await HostTool.RunAsync(_nftPath, ["list", "table", Family, Name], cancellationToken: cancellationToken)).Succeeded;

    /// <summary>Removes the table; nothing happens when it is not there.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        var script = $"table {Family} {Name}\ndelete table {Family} {Name}\n";
        _ = await HostTool.RunAsync(_nftPath, ["-f", "-"], script, cancellationToken: cancellationToken);
    }

    private static bool IsIdentifier(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
