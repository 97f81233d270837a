namespace Poddle.Core.Common;

/// <summary>
/// A field that a validation error names, spelled by Core's own model: the path of the property in Core's input type
/// (<c>HealthCheck.Command</c>, <c>Security.Capabilities[0]</c>, <c>Env['MY_VAR']</c>), or the parameter of the use
/// case, built with <c>nameof</c> so that renaming a Core property moves the key with it. Core never spells a field
/// the way an API does: the server maps these paths to its wire names in one place (Poddle.Server.Errors.FieldNames).
/// </summary>
/// <remarks>
/// Syntax of <see cref="Value"/>: member names joined by '.', an index as <c>[n]</c>, and a dictionary key as
/// <c>['key']</c>, taken verbatim up to the end of the path. Invariant: a key is the last segment (it may hold any
/// character, so nothing can follow it unambiguously); <see cref="Member"/> and <see cref="Index"/> refuse to extend it.
/// </remarks>
public readonly record struct FieldPath
{
    /// <summary>Opens a dictionary key; everything after it up to the final <see cref="KeyClose"/> is the key.</summary>
    public const string KeyOpen = "['";

    /// <summary>Closes a dictionary key (the last two characters of a path that ends in a key).</summary>
    public const string KeyClose = "']";

    private FieldPath(string value) => Value = value;

    /// <summary>The path as Core spells it, e.g. <c>HealthCheck.Command[1]</c>.</summary>
    public string Value { get; }

    /// <summary>True when the path ends in a dictionary key and so cannot be extended.</summary>
    public bool EndsInKey => Value.EndsWith(KeyClose, StringComparison.Ordinal) && Value.Contains(KeyOpen, StringComparison.Ordinal);

    /// <summary>A path of one or more member names: <c>FieldPath.Of(nameof(X.HealthCheck), nameof(HealthCheckInput.Command))</c>.</summary>
    public static FieldPath Of(string member, params ReadOnlySpan<string> members)
    {
        var path = new FieldPath(CheckMember(member));
        foreach (var next in members)
        {
            path = path.Member(next);
        }

        return path;
    }

    /// <summary>
    /// A path taken as spelled: in Core, a path inside a document whose format Core itself defines and parses (a
    /// curriculum problem file: <c>tests[1].expectedStdout</c>); in the server, a name already in the API's spelling for
    /// what Core never sees (a query parameter, the agent's heartbeat). Core's inputs are named with <see cref="Of"/>.
    /// </summary>
    public static FieldPath AsSpelled(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(path);
    }

    /// <summary>This path's member <paramref name="member"/> (<c>HealthCheck</c> → <c>HealthCheck.Command</c>).</summary>
    public FieldPath Member(string member) => new($"{Extensible().Value}.{CheckMember(member)}");

    /// <summary>This path's element <paramref name="index"/> (<c>Security.Capabilities</c> → <c>Security.Capabilities[0]</c>).</summary>
    public FieldPath Index(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Extensible().Value}[{index}]"));
    }

    /// <summary>This dictionary's entry <paramref name="key"/>, verbatim (<c>Env</c> → <c>Env['MY_VAR']</c>); the path's last segment.</summary>
    public FieldPath Key(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(Extensible().Value + KeyOpen + key + KeyClose);
    }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;

    private FieldPath Extensible() =>
        Value is null ? throw new InvalidOperationException("A default FieldPath names no field; start one with FieldPath.Of.")
        : EndsInKey ? throw new InvalidOperationException($"'{Value}' ends in a dictionary key, which is always a path's last segment.")
        : this;

    private static string CheckMember(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        if (member.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_'))
        {
            throw new ArgumentException($"'{member}' is not a member name (letters, digits and '_'); use nameof.", nameof(member));
        }

        return member;
    }
}
