using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Poddle.Cli.Tests.Deploy;

/// <summary>
/// What deploy/prometheus and deploy/grafana hold, read the way Prometheus and Grafana read them: every alert rule's
/// expression, every promtool unit test's expectation, every dashboard query (Grafana's variables substituted), and
/// the metric names a PromQL expression reads.
/// </summary>
internal static partial class ObservabilityFiles
{
    /// <summary>What each Grafana variable the dashboards use stands for when a query is sent to Prometheus directly.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["__rate_interval"] = "1m",
        ["__interval"] = "15s",
        ["__range"] = "5m",
        ["pool"] = ".*",
        ["language"] = ".*",
        ["instance"] = ".*",
    };

    // PromQL words that are not metric names (aggregation and function names are told apart by the "(" after them).
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan",
    };

    /// <summary>Every alert rule of deploy/prometheus/*.rules.yml.</summary>
    public static IReadOnlyList<AlertRule> Alerts()
    {
        var alerts = new List<AlertRule>();
        foreach (var file in PrometheusTools.RuleFiles)
        {
            foreach (var group in Sequence(Load(file), "groups"))
            {
                foreach (var rule in Sequence(group, "rules"))
                {
                    if (Scalar(rule, "alert") is { } name)
                    {
                        alerts.Add(new AlertRule(Path.GetFileName(file), name, Scalar(rule, "expr") ?? string.Empty));
                    }
                }
            }
        }

        return alerts;
    }

    /// <summary>Every alert_rule_test of deploy/prometheus/tests/*.yml: the alert it checks and whether it expects it to fire.</summary>
    public static IReadOnlyList<(string Alert, bool Fires)> AlertTests()
    {
        var tests = new List<(string, bool)>();
        foreach (var file in PrometheusTools.RuleTestFiles)
        {
            foreach (var test in Sequence(Load(file), "tests"))
            {
                foreach (var check in Sequence(test, "alert_rule_test"))
                {
                    tests.Add((Scalar(check, "alertname") ?? string.Empty, Sequence(check, "exp_alerts").Any()));
                }
            }
        }

        return tests;
    }

    /// <summary>Every query of deploy/grafana/*.json: each panel's targets (rows' panels too) and each query variable's series.</summary>
    public static IReadOnlyList<DashboardQuery> DashboardQueries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var file in PrometheusTools.DashboardFiles)
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            var name = Path.GetFileName(file);
            foreach (var panel in Panels(dashboard["panels"]?.AsArray()))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                {
                    if (target?["expr"]?.GetValue<string>() is { Length: > 0 } expr)
                    {
                        queries.Add(new DashboardQuery(name, panel["title"]?.GetValue<string>() ?? "(untitled)", expr));
                    }
                }
            }

            foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
            {
                var query = variable?["query"] is JsonObject o ? o["query"]?.GetValue<string>() : variable?["query"]?.GetValue<string>();
                if (variable?["type"]?.GetValue<string>() == "query" && query is not null && LabelValues().Match(query) is { Success: true } match)
                {
                    queries.Add(new DashboardQuery(name, $"variable {variable["name"]}", match.Groups["series"].Value));
                }
            }
        }

        return queries;
    }

    /// <summary><paramref name="expr"/> with Grafana's variables replaced by <see cref="Variables"/>; an unknown variable fails the test.</summary>
    public static string Substitute(string expr) => Variable().Replace(expr, match =>
    {
        var name = match.Groups["name"].Value;
        return Variables.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"unknown Grafana variable ${name} in {expr}");
    });

    /// <summary>The metric names <paramref name="expr"/> reads (PromQL's bare selectors: <c>name{...}</c>, <c>name[5m]</c>, <c>name</c>).</summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var text = StringLiteral().Replace(expr, "\"\"");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(text))
        {
            var name = match.Groups["name"].Value;
            if (!Keywords.Contains(name) && !match.Groups["call"].Success)
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static IEnumerable<JsonNode> Panels(JsonArray? panels)
    {
        foreach (var panel in panels ?? [])
        {
            if (panel is null)
            {
                continue;
            }

            yield return panel;
            foreach (var inner in Panels(panel["panels"]?.AsArray()))
            {
                yield return inner;
            }
        }
    }

    private static YamlMappingNode Load(string file)
    {
        using var reader = new StreamReader(file);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode items
            ? items.Children.OfType<YamlMappingNode>()
            : [];

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    [GeneratedRegex(@"\$(?:\{(?<name>[A-Za-z_]\w*)(?::\w+)?\}|(?<name>[A-Za-z_]\w*)|\[\[(?<name>[A-Za-z_]\w*)\]\])")]
    private static partial Regex Variable();

    [GeneratedRegex("^\\s*label_values\\((?<series>.+),\\s*[A-Za-z_]\\w*\\s*\\)\\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w:.])(?<name>[A-Za-z_:][\w:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}

