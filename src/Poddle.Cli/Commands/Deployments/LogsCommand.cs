using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle logs NAME [-f] [-n N] [--since T] [--replica ID]`: a deployment's logs, all replicas.</summary>
internal sealed class LogsCommand : DeploymentCommand
{
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Keep printing new lines as they come (Ctrl+C to stop)" };
    private readonly Option<int?> _tail = new("--tail", "-n") { Description = "How many of the latest lines (default 100)" };
    private readonly Option<string?> _since = new("--since") { Description = "Only lines since: a duration back from now (10m, 2h) or a time (2026-01-02T15:04:05Z)" };
    private readonly Option<string?> _replica = new("--replica") { Description = "Only this replica's lines: its short id (as `poddle ps NAME` shows it)" };

    public LogsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("logs", "Print a deployment's logs (all replicas); -f follows them", environment, globals)
    {
        AddOption(_follow);
        AddOption(_tail);
        AddOption(_since);
        AddOption(_replica);
    }

    /// <summary>"10m" (that long ago) or an ISO 8601 time.</summary>
    internal static DateTimeOffset ParseSince(string text, TimeProvider time)
    {
        if (Quantities.ParseDuration(text) is { } ago)
        {
            return time.GetUtcNow() - ago;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw CliException.Usage($"--since '{text}' is neither a duration (10m, 2h) nor a time (2026-01-02T15:04:05Z).");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var count = parse.GetValue(_tail) ?? 100;
        if (count < 0)
        {
            throw CliException.Usage("--tail must be 0 or more.");
        }

        var from = parse.GetValue(_since) is { } s ? ParseSince(s, context.Environment.Time) : (DateTimeOffset?)null;
        var only = parse.GetValue(_replica) is { } wanted ? FindReplica(deployment, wanted) : null;
        bool Wanted(LogLineResponse line) => only is null || line.ReplicaId == only.Id;
        var lines = (await client.GetDeploymentLogsAsync(deployment.Id, count, from, cancellationToken)).Where(Wanted).ToList();
        if (!parse.GetValue(_follow))
        {
            if (context.Output.Json)
            {
                context.Output.WriteJson(lines, PoddleJsonContext.Default.IReadOnlyListLogLineResponse);
            }
            else
            {
                foreach (var line in lines)
                {
                    WriteLogLine(context, line);
                }
            }

            return ExitCode.Ok;
        }

        foreach (var line in lines)
        {
            WriteLogLine(context, line);
        }

        // The stream may start with lines already printed: skip up to the last one we have.
        var last = lines.Count == 0 ? DateTimeOffset.MinValue : lines.Max(l => l.Timestamp);
        var printedAtLast = lines.Where(l => l.Timestamp == last).Select(l => (l.ReplicaId, l.Stream, l.Text)).ToHashSet();
        await foreach (var line in client.StreamLogsAsync(deployment.Id, 0, lines.Count == 0 ? from : last, cancellationToken))
        {
            if (!Wanted(line) || line.Timestamp < last || (line.Timestamp == last && printedAtLast.Contains((line.ReplicaId, line.Stream, line.Text))))
            {
                continue;
            }

            WriteLogLine(context, line);
        }

        return ExitCode.Ok;
    }

    /// <summary>The deployment's replica with this short id (or full id).</summary>
    private static ReplicaResponse FindReplica(DeploymentResponse deployment, string id)
    {
        var wanted = id.Trim().ToLowerInvariant();
        return deployment.ReplicaDetails.FirstOrDefault(r => ShortId(r) == wanted || r.Id.ToString() == wanted || r.Id.ToString("N") == wanted)
            ?? throw CliException.Usage($"{deployment.Name} has no replica '{id}'. Its replicas: {string.Join(", ", deployment.ReplicaDetails.Where(r => r.Phase != ReplicaPhases.Stopped).Select(ShortId))} (`poddle ps {deployment.Name}`).");
    }

    private static void WriteLogLine(CliContext context, LogLineResponse line)
    {
        var writer = context.Environment.Out;
        if (context.Output.Json)
        {
            writer.WriteLine(JsonSerializer.Serialize(line, PoddleJsonContext.Default.LogLineResponse));
        }
        else
        {
            // The replica's short id, the same as in `poddle ps NAME` and `poddle events`, tells the replicas' lines apart.
            var replica = line.ReplicaShortId ?? line.ReplicaId.ToString();
            writer.WriteLine($"{line.Timestamp.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {replica} {(line.Stream == "stderr" ? "!" : "|")} {line.Text}");
        }

        writer.Flush();
    }
}
