using System.Text;
using System.Text.Json;
using Poddle.Core.Common;

namespace Poddle.Server.Errors;

/// <summary>
/// Maps the field paths Core names its errors with (<see cref="FieldPath"/>: its own property and parameter names) to
/// the API's field names, the one place that knows both: each member by the API's JSON naming policy (camelCase, as
/// Poddle.Contracts' <c>PoddleJsonContext</c>: <see cref="JsonSerializerDefaults.Web"/>), indexes kept (<c>[0]</c>),
/// a dictionary key verbatim after a dot (<c>Env['MY_VAR']</c> → <c>env.MY_VAR</c>); and, before that, a small table
/// of renames where a request's field is not named as Core's property (<c>Files</c> → <c>code</c>). A rename replaces
/// a whole path or the leading members of one; the longest matching rename wins.
/// </summary>
/// <remarks>
/// Names the server already spells in the API's terms (<c>body</c>, <c>encoding</c>, <c>tests[1].expectedStdout</c>)
/// come out unchanged: camelCase leaves a name that does not start with an upper-case letter as it is.
/// </remarks>
public sealed class FieldNames
{
    private static readonly JsonNamingPolicy Policy = JsonNamingPolicy.CamelCase;

    private readonly Dictionary<string, string> _renames;

    /// <param name="renames">Core path (or its leading members) → the API's spelling of it; merged in order, a path given twice is a bug.</param>
    public FieldNames(params IEnumerable<IReadOnlyDictionary<string, string>> renames)
    {
        _renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (core, api) in renames.SelectMany(table => table))
        {
            if (!_renames.TryAdd(core, api))
            {
                throw new ArgumentException($"The Core field '{core}' is renamed twice; a path has one API name.", nameof(renames));
            }
        }
    }

    /// <summary>Deployments: an update that changes nothing and an uploaded bundle are the request's body as a whole.</summary>
    public static IReadOnlyDictionary<string, string> DeploymentRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DeploymentChanges"] = "body",
        ["SourceBundle"] = "body",
    };

    /// <summary>Executions: POST /api/execution/submit takes the program as <c>code</c> (one file) where Core has <c>Files</c>.</summary>
    public static IReadOnlyDictionary<string, string> ExecutionRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Files"] = "code",
    };

    /// <summary>Curriculum: an imported problem file is the request's body.</summary>
    public static IReadOnlyDictionary<string, string> CurriculumRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ProblemFile"] = "body",
    };

    /// <summary>Pools: an update that changes nothing and a worker's result are the request's body as a whole.</summary>
    public static IReadOnlyDictionary<string, string> PoolRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PoolChanges"] = "body",
        ["Result"] = "body",
    };

    // After the tables: static initializers run in the order they are written.
    /// <summary>Poddle's own API (/api/...): every feature's renames.</summary>
    public static FieldNames Api { get; } = new(DeploymentRenames, ExecutionRenames, CurriculumRenames, PoolRenames);

    /// <summary>The Piston-compatible API (/api/v2/...): its body names the code <c>files</c> (Core's name) and the run's limits <c>run</c>.</summary>
    public static FieldNames Piston { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Limits"] = "run",
    });

    /// <summary>The renames this mapper applies, Core path → API name.</summary>
    public IReadOnlyDictionary<string, string> Renames => _renames;

    /// <summary>The API's name of the field Core calls <paramref name="corePath"/>.</summary>
    public string ToApi(string corePath)
    {
        ArgumentNullException.ThrowIfNull(corePath);
        var builder = new StringBuilder(corePath.Length);
        var start = 0;
        if (LongestRename(corePath) is { } rename)
        {
            builder.Append(_renames[rename]);
            start = rename.Length;
        }

        var i = start;
        while (i < corePath.Length)
        {
            var c = corePath[i];
            if (string.CompareOrdinal(corePath, i, FieldPath.KeyOpen, 0, FieldPath.KeyOpen.Length) == 0 && corePath.EndsWith(FieldPath.KeyClose, StringComparison.Ordinal))
            {
                // A key is the last segment (FieldPath's invariant) and is the data's own spelling: never renamed or re-cased.
                var keyStart = i + FieldPath.KeyOpen.Length;
                builder.Append('.').Append(corePath, keyStart, Math.Max(0, corePath.Length - FieldPath.KeyClose.Length - keyStart));
                break;
            }

            if (c == '[')
            {
                var close = corePath.IndexOf(']', i);
                var end = close < 0 ? corePath.Length : close + 1;
                builder.Append(corePath, i, end - i);
                i = end;
            }
            else if (c == '.')
            {
                builder.Append(c);
                i++;
            }
            else
            {
                var end = corePath.IndexOfAny(['.', '['], i);
                end = end < 0 ? corePath.Length : end;
                builder.Append(Policy.ConvertName(corePath[i..end]));
                i = end;
            }
        }

        return builder.ToString();
    }

    /// <summary>An error's fields keyed by the API's names (messages of two paths that meet at one name are joined); null stays null.</summary>
    public IReadOnlyDictionary<string, string[]>? ToApi(IReadOnlyDictionary<string, string[]>? fields)
    {
        if (fields is null)
        {
            return null;
        }

        var mapped = new Dictionary<string, string[]>(fields.Count, StringComparer.Ordinal);
        foreach (var (path, messages) in fields)
        {
            var name = ToApi(path);
            mapped[name] = mapped.TryGetValue(name, out var earlier) ? [.. earlier, .. messages] : messages;
        }

        return mapped;
    }

    private string? LongestRename(string corePath)
    {
        string? best = null;
        foreach (var core in _renames.Keys)
        {
            var matches = corePath.StartsWith(core, StringComparison.Ordinal)
                && (corePath.Length == core.Length || corePath[core.Length] is '.' or '[');
            if (matches && (best is null || core.Length > best.Length))
            {
                best = core;
            }
        }

        return best;
    }
}
