using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Poddle.Cli.Configuration;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>`poddle ps`, `logs`, `events`, `scale`, `restart`, `rollback`, `rm`, `env`, `secrets`, `domains`: one deployment (by name or id) at a time.</summary>
internal static class DeploymentCommands
{
    public static IEnumerable<Command> Create(CliEnvironment environment, GlobalOptions globals) =>
    [
        Ps(environment, globals),
        Logs(environment, globals),
        Events(environment, globals),
        Scale(environment, globals),
        Restart(environment, globals),
        Rollback(environment, globals),
        Remove(environment, globals),
        Env(environment, globals),
        Secrets(environment, globals),
        Domains(environment, globals),
    ];

    private static Argument<string> NameArgument() => new("name") { Description = "The deployment's name (in the project) or id" };

    /// <summary>A command on one deployment: NAME and --project, resolved before <paramref name="body"/> runs.</summary>
    private static Command OnDeployment(
        CliEnvironment environment,
        GlobalOptions globals,
        string name,
        string description,
        Func<CliContext, ParseResult, PoddleClient, DeploymentResponse, CancellationToken, Task<ExitCode>> body,
        params Symbol[] symbols)
    {
        var target = NameArgument();
        var project = DeploymentTarget.ProjectOption();
        var command = new Command(name, description) { target };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"Unexpected symbol {symbol.Name}", nameof(symbols));
            }
        }

        command.Options.Add(project);
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var deployment = await DeploymentTarget.ResolveAsync(context, client, parse.GetRequiredValue(target), parse.GetValue(project), cancellationToken);
            return await body(context, parse, client, deployment, cancellationToken);
        });
        return command;
    }

    private static Command Ps(CliEnvironment environment, GlobalOptions globals)
    {
        var project = DeploymentTarget.ProjectOption();
        var name = new Argument<string?>("name") { Description = "A deployment (name or id): list its replicas instead", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ps", "List the project's deployments (status, ready replicas, pods' health from their agents, revision, URL, age), or one deployment's replicas") { name, project };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            if (parse.GetValue(name) is { } one)
            {
                return Replicas(context, await DeploymentTarget.ResolveAsync(context, client, one, parse.GetValue(project), cancellationToken));
            }

            var target = await DeploymentTarget.ResolveProjectAsync(client, parse.GetValue(project), () => DeploymentTarget.ProjectFromWorkingDirectory(environment), cancellationToken);
            var deployments = await client.ListDeploymentsAsync(target.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(deployments, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse);
                return ExitCode.Ok;
            }

            if (deployments.Count == 0)
            {
                context.Output.Message($"Project {target.Name} has no deployments. Deploy one with `poddle deploy`.");
                return ExitCode.Ok;
            }

            var now = environment.Time.GetUtcNow();
            var table = CliOutput.Table("NAME", "STATUS", "READY", "HEALTH", "REVISION", "URL", "AGE");
            foreach (var d in deployments.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    new Text(d.Name),
                    new Text(d.Status, StatusStyle(d.Status)),
                    new Text(string.Create(CultureInfo.InvariantCulture, $"{d.ReadyReplicas}/{d.Replicas}")),
                    new Text(HealthSummary(d.ReplicaDetails), HealthStyle(d.ReplicaDetails)),
                    new Text(d.Revision.ToString(CultureInfo.InvariantCulture)),
                    new Text(d.Url),
                    new Text(Quantities.Format(now - d.CreatedAt)));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>`poddle ps NAME`: one row per replica, by the short id that logs and events show too.</summary>
    private static ExitCode Replicas(CliContext context, DeploymentResponse deployment)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
            return ExitCode.Ok;
        }

        var live = deployment.ReplicaDetails.Where(r => r.Phase != "stopped").ToList();
        if (live.Count == 0)
        {
            context.Output.Message($"{deployment.Name} has no replicas ({deployment.Status}{(deployment.StatusReason is { } why ? ": " + why : string.Empty)}).");
            return ExitCode.Ok;
        }

        var now = context.Environment.Time.GetUtcNow();
        var table = CliOutput.Table("REPLICA", "REVISION", "PHASE", "READY", "RESTARTS", "LAST EXIT", "HEALTH", "AGE");
        foreach (var r in live.OrderBy(r => r.Revision).ThenBy(r => DeployCommand.ShortId(r), StringComparer.Ordinal))
        {
            var phase = r.CrashLooping ? "crash-looping" : r.Phase;
            table.AddRow(
                new Text(DeployCommand.ShortId(r)),
                new Text(r.Revision.ToString(CultureInfo.InvariantCulture)),
                new Text(phase, r.CrashLooping || r.Phase == "crashed" ? new Style(Color.Red) : Style.Plain),
                new Text(r.Ready ? "yes" : "no", r.Ready ? new Style(Color.Green) : new Style(Color.Yellow)),
                new Text(r.Restarts.ToString(CultureInfo.InvariantCulture)),
                new Text(r.LastExitReason ?? "-"),
                new Text(r.Health?.Status ?? "unknown"),
                new Text(r.StartedAt is { } started ? Quantities.Format(now - started) : "-"));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }

    private static Command Logs(CliEnvironment environment, GlobalOptions globals)
    {
        var replicaFilter = new Option<string?>("--replica") { Description = "Only this replica's lines: its short id (as `poddle ps NAME` shows it)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they come (Ctrl+C to stop)" };
        var tail = new Option<int?>("--tail", "-n") { Description = "How many of the latest lines (default 100)" };
        var since = new Option<string?>("--since") { Description = "Only lines since: a duration back from now (10m, 2h) or a time (2026-01-02T15:04:05Z)" };
        return OnDeployment(environment, globals, "logs", "Print a deployment's logs (all replicas); -f follows them", async (context, parse, client, deployment, cancellationToken) =>
        {
            var count = parse.GetValue(tail) ?? 100;
            if (count < 0)
            {
                throw CliException.Usage("--tail must be 0 or more.");
            }

            var from = parse.GetValue(since) is { } s ? ParseSince(s, environment.Time) : (DateTimeOffset?)null;
            var only = parse.GetValue(replicaFilter) is { } wanted ? FindReplica(deployment, wanted) : null;
            bool Wanted(LogLineResponse line) => only is null || line.ReplicaId == only.Id;
            var lines = (await client.GetDeploymentLogsAsync(deployment.Id, count, from, cancellationToken)).Where(Wanted).ToList();
            if (!parse.GetValue(follow))
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
        }, follow, tail, since, replicaFilter);
    }

    /// <summary>The deployment's replica with this short id (or full id).</summary>
    private static ReplicaResponse FindReplica(DeploymentResponse deployment, string id)
    {
        var wanted = id.Trim().ToLowerInvariant();
        return deployment.ReplicaDetails.FirstOrDefault(r => DeployCommand.ShortId(r) == wanted || r.Id.ToString() == wanted || r.Id.ToString("N") == wanted)
            ?? throw CliException.Usage($"{deployment.Name} has no replica '{id}'. Its replicas: {string.Join(", ", deployment.ReplicaDetails.Where(r => r.Phase != "stopped").Select(DeployCommand.ShortId))} (`poddle ps {deployment.Name}`).");
    }

    private static Command Events(CliEnvironment environment, GlobalOptions globals) =>
        OnDeployment(environment, globals, "events", "What happened to a deployment: status changes, restarts, probe failures, rollouts", async (context, _, client, deployment, cancellationToken) =>
        {
            var events = await client.ListDeploymentEventsAsync(deployment.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(events, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse);
                return ExitCode.Ok;
            }

            if (events.Count == 0)
            {
                context.Output.Message($"No events for {deployment.Name} yet.");
                return ExitCode.Ok;
            }

            var table = CliOutput.Table("LAST SEEN", "SEVERITY", "REPLICA", "REASON", "MESSAGE", "COUNT");
            foreach (var e in events.OrderBy(e => e.LastSeenAt))
            {
                table.AddRow(
                    new Text(e.LastSeenAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    new Text(e.Severity, e.Severity is "Warning" or "warning" or "error" ? new Style(Color.Yellow) : Style.Plain),
                    new Text(e.ReplicaShortId ?? e.ReplicaId?.ToString() ?? "-"),
                    new Text(e.Reason),
                    new Text(e.Message),
                    new Text(e.Count.ToString(CultureInfo.InvariantCulture)));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });

    private static Command Scale(CliEnvironment environment, GlobalOptions globals)
    {
        var replicas = new Argument<int>("replicas") { Description = "How many replicas to run (0 stops them all)" };
        return OnDeployment(environment, globals, "scale", "Set how many replicas a deployment runs", async (context, parse, client, deployment, cancellationToken) =>
        {
            var wanted = parse.GetRequiredValue(replicas);
            if (wanted < 0)
            {
                throw CliException.Usage("The number of replicas must be 0 or more.");
            }

            var scaled = await client.ScaleDeploymentAsync(deployment.Id, new ScaleDeploymentRequest(wanted), cancellationToken);
            return Done(context, scaled, string.Create(CultureInfo.InvariantCulture, $"Scaling {scaled.Name} from {deployment.Replicas} to {wanted} replicas. Watch it with `poddle ps`."));
        }, replicas);
    }

    private static Command Restart(CliEnvironment environment, GlobalOptions globals) =>
        OnDeployment(environment, globals, "restart", "Restart a deployment's replicas one by one (rolling, no downtime with 2 or more)", async (context, _, client, deployment, cancellationToken) =>
        {
            var restarted = await client.RestartDeploymentAsync(deployment.Id, cancellationToken);
            return Done(context, restarted, $"Restarting {restarted.Name}. Watch it with `poddle events {restarted.Name}`.");
        });

    private static Command Rollback(CliEnvironment environment, GlobalOptions globals)
    {
        var revision = new Option<int?>("--revision") { Description = "The revision to go back to (default: the one before the current one)" };
        return OnDeployment(environment, globals, "rollback", "Roll a deployment back to an earlier revision, its configuration included", async (context, parse, client, deployment, cancellationToken) =>
        {
            var to = parse.GetValue(revision);
            var rolled = await client.RollbackDeploymentAsync(deployment.Id, new RollbackDeploymentRequest(to), cancellationToken);
            var what = to is { } n ? string.Create(CultureInfo.InvariantCulture, $"revision {n}") : "the previous revision";
            return Done(context, rolled, string.Create(CultureInfo.InvariantCulture, $"Rolling {rolled.Name} back to {what} (now revision {rolled.Revision}). Watch it with `poddle ps`."));
        }, revision);
    }

    private static Command Remove(CliEnvironment environment, GlobalOptions globals)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = OnDeployment(environment, globals, "rm", "Delete a deployment: its replicas, domains and revisions", async (context, parse, client, deployment, cancellationToken) =>
        {
            if (!parse.GetValue(yes))
            {
                if (!environment.IsInteractive)
                {
                    throw CliException.Usage($"Deleting {deployment.Name} cannot be undone; pass --yes to confirm.");
                }

                if (!context.Output.Error.Confirm($"Delete {deployment.Name} ({deployment.Url}) and all its replicas?", defaultValue: false))
                {
                    context.Output.Message("Nothing deleted.");
                    return ExitCode.Ok;
                }
            }

            await client.DeleteDeploymentAsync(deployment.Id, cancellationToken);
            return Done(context, deployment, $"Deleting {deployment.Name}: its replicas are stopped and removed in the background.");
        }, yes);
        command.Aliases.Add("delete");
        return command;
    }

    private static Command Env(CliEnvironment environment, GlobalOptions globals)
    {
        var env = new Command("env", "A deployment's environment variables (each change rolls out a new revision)");
        var pairs = new Argument<string[]>("pairs") { Description = "KEY=VALUE pairs", Arity = ArgumentArity.OneOrMore };
        env.Subcommands.Add(OnDeployment(environment, globals, "set", "Set environment variables", async (context, parse, client, deployment, cancellationToken) =>
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var pair in parse.GetRequiredValue(pairs))
            {
                var (key, value) = Quantities.ParsePair(pair, "variable");
                values[key] = value ?? throw CliException.Usage($"{key} has no value: write {key}=VALUE (remove it with `poddle env unset`).");
            }

            var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Env: values), cancellationToken);
            return Done(context, updated, $"Set {string.Join(", ", values.Keys)} on {updated.Name}; rolling out revision {updated.Revision}.");
        }, pairs));

        var keys = new Argument<string[]>("keys") { Description = "Variable names", Arity = ArgumentArity.OneOrMore };
        env.Subcommands.Add(OnDeployment(environment, globals, "unset", "Remove environment variables", async (context, parse, client, deployment, cancellationToken) =>
        {
            var names = Keys(parse.GetRequiredValue(keys));
            var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Env: names.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal)), cancellationToken);
            return Done(context, updated, $"Removed {string.Join(", ", names)} from {updated.Name}; rolling out revision {updated.Revision}.");
        }, keys));

        env.Subcommands.Add(OnDeployment(environment, globals, "ls", "List environment variables and their values", (context, _, _, deployment, _) =>
        {
            if (context.Output.Json)
            {
                context.Output.WriteJson(deployment.Env, CliJsonContext.Default.IReadOnlyDictionaryStringString);
                return Task.FromResult(ExitCode.Ok);
            }

            if (deployment.Env.Count == 0)
            {
                context.Output.Message($"{deployment.Name} has no environment variables. Set some with `poddle env set {deployment.Name} KEY=VALUE`.");
                return Task.FromResult(ExitCode.Ok);
            }

            var table = CliOutput.Table("KEY", "VALUE");
            foreach (var (key, value) in deployment.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                table.AddRow(new Text(key), new Text(value));
            }

            context.Output.Out.Write(table);
            return Task.FromResult(ExitCode.Ok);
        }));
        return env;
    }

    private static Command Secrets(CliEnvironment environment, GlobalOptions globals)
    {
        var secrets = new Command("secrets", "A deployment's secrets: write-only, only their names are ever shown (each change rolls out a new revision)");
        var pairs = new Argument<string[]>("pairs") { Description = "KEY=VALUE, or KEY to read the value from the environment variable KEY", Arity = ArgumentArity.OneOrMore };
        secrets.Subcommands.Add(OnDeployment(environment, globals, "set", "Set secrets", async (context, parse, client, deployment, cancellationToken) =>
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var pair in parse.GetRequiredValue(pairs))
            {
                var (key, value) = Quantities.ParsePair(pair, "secret");
                values[key] = value ?? DeployCommand.ReadSecret(context, key);
            }

            var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Secrets: values), cancellationToken);
            return Done(context, updated, $"Set secret {string.Join(", ", values.Keys)} on {updated.Name}; rolling out revision {updated.Revision}.");
        }, pairs));

        secrets.Subcommands.Add(OnDeployment(environment, globals, "ls", "List the names of the secrets (never their values)", (context, _, _, deployment, _) =>
        {
            var names = deployment.SecretKeys.Order(StringComparer.Ordinal).ToList();
            if (context.Output.Json)
            {
                context.Output.WriteJson<IReadOnlyList<string>>(names, CliJsonContext.Default.IReadOnlyListString);
            }
            else if (names.Count == 0)
            {
                context.Output.Message($"{deployment.Name} has no secrets. Set one with `poddle secrets set {deployment.Name} KEY` (value from $KEY).");
            }
            else
            {
                foreach (var name in names)
                {
                    context.Output.Out.WriteLine(name);
                }
            }

            return Task.FromResult(ExitCode.Ok);
        }));

        var keys = new Argument<string[]>("keys") { Description = "Secret names", Arity = ArgumentArity.OneOrMore };
        secrets.Subcommands.Add(OnDeployment(environment, globals, "rm", "Remove secrets", async (context, parse, client, deployment, cancellationToken) =>
        {
            var names = Keys(parse.GetRequiredValue(keys));
            var unknown = names.Where(n => !deployment.SecretKeys.Contains(n, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                throw new CliException($"{deployment.Name} has no secret {string.Join(", ", unknown)}. See its secrets with `poddle secrets ls {deployment.Name}`.");
            }

            var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Secrets: names.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal)), cancellationToken);
            return Done(context, updated, $"Removed secret {string.Join(", ", names)} from {updated.Name}; rolling out revision {updated.Revision}.");
        }, keys));
        return secrets;
    }

    private static Command Domains(CliEnvironment environment, GlobalOptions globals)
    {
        var domains = new Command("domains", "Custom domains of a deployment (ownership proven with a DNS TXT record)");
        Argument<string> Host() => new("host") { Description = "The host name, e.g. www.example.com" };

        var addHost = Host();
        domains.Subcommands.Add(OnDeployment(environment, globals, "add", "Add a custom domain", async (context, parse, client, deployment, cancellationToken) =>
        {
            var domain = await client.AddDomainAsync(deployment.Id, new AddDomainRequest(parse.GetRequiredValue(addHost)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(domain, PoddleJsonContext.Default.DomainResponse);
            }
            else if (domain.Verified)
            {
                context.Output.Success($"{domain.Hostname} now routes to {deployment.Name}.");
            }
            else
            {
                context.Output.Message($"Added {domain.Hostname}. To prove it is yours, publish this DNS record and run `poddle domains verify {deployment.Name} {domain.Hostname}`:");
                context.Output.Message($"  {domain.TxtRecordName}  TXT  \"{domain.TxtRecordValue}\"");
            }

            return ExitCode.Ok;
        }, addHost));

        domains.Subcommands.Add(OnDeployment(environment, globals, "ls", "List custom domains", async (context, _, client, deployment, cancellationToken) =>
        {
            var list = await client.ListDomainsAsync(deployment.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(list, PoddleJsonContext.Default.IReadOnlyListDomainResponse);
                return ExitCode.Ok;
            }

            if (list.Count == 0)
            {
                context.Output.Message($"{deployment.Name} has no custom domains; it is at {deployment.Url}. Add one with `poddle domains add {deployment.Name} HOST`.");
                return ExitCode.Ok;
            }

            var table = CliOutput.Table("HOST", "VERIFIED", "TXT RECORD");
            foreach (var d in list.OrderBy(d => d.Hostname, StringComparer.Ordinal))
            {
                table.AddRow(
                    new Text(d.Hostname),
                    new Text(d.Verified ? "yes" + (d.VerifiedBy is { } by ? $" ({by})" : string.Empty) : "no", d.Verified ? new Style(Color.Green) : new Style(Color.Yellow)),
                    new Text(d.Verified ? string.Empty : $"{d.TxtRecordName} TXT \"{d.TxtRecordValue}\""));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        }));

        var rmHost = Host();
        domains.Subcommands.Add(OnDeployment(environment, globals, "rm", "Remove a custom domain", async (context, parse, client, deployment, cancellationToken) =>
        {
            var domain = await FindDomainAsync(client, deployment, parse.GetRequiredValue(rmHost), cancellationToken);
            await client.RemoveDomainAsync(deployment.Id, domain.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(domain, PoddleJsonContext.Default.DomainResponse);
            }
            else
            {
                context.Output.Success($"Removed {domain.Hostname} from {deployment.Name}.");
            }

            return ExitCode.Ok;
        }, rmHost));

        var verifyHost = Host();
        domains.Subcommands.Add(OnDeployment(environment, globals, "verify", "Check the domain's TXT record now", async (context, parse, client, deployment, cancellationToken) =>
        {
            var domain = await FindDomainAsync(client, deployment, parse.GetRequiredValue(verifyHost), cancellationToken);
            var verified = await client.VerifyDomainAsync(deployment.Id, domain.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(verified, PoddleJsonContext.Default.DomainResponse);
            }

            if (verified.Verified)
            {
                if (!context.Output.Json)
                {
                    context.Output.Success($"{verified.Hostname} is verified and routes to {deployment.Name}.");
                }

                return ExitCode.Ok;
            }

            context.Output.ErrorMessage(
                $"{verified.Hostname} is not verified yet: publish {verified.TxtRecordName} TXT \"{verified.TxtRecordValue}\" at your DNS provider, wait for it to propagate, and run this again.");
            return ExitCode.Error;
        }, verifyHost));
        return domains;
    }

    private static async Task<DomainResponse> FindDomainAsync(PoddleClient client, DeploymentResponse deployment, string host, CancellationToken cancellationToken)
    {
        var list = await client.ListDomainsAsync(deployment.Id, cancellationToken);
        return list.FirstOrDefault(d => string.Equals(d.Hostname, host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) || d.Id.ToString() == host)
            ?? throw new CliException($"{deployment.Name} has no domain {host}. See its domains with `poddle domains ls {deployment.Name}`.");
    }

    private static List<string> Keys(IEnumerable<string> names)
    {
        var keys = names.Distinct(StringComparer.Ordinal).ToList();
        foreach (var key in keys.Where(k => !Quantities.IsEnvName(k)))
        {
            throw CliException.Usage($"'{key}' is not a variable name (letters, digits and '_', not starting with a digit).");
        }

        return keys;
    }

    private static ExitCode Done(CliContext context, DeploymentResponse deployment, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
        }
        else
        {
            context.Output.Success(message);
        }

        return ExitCode.Ok;
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

    /// <summary>
    /// The HEALTH column: replicas per pod-agent status, worst first ("1 lost, 1 healthy"); "-" when no replica's agent
    /// has reported (deployments need not run `poddle agent`).
    /// </summary>
    internal static string HealthSummary(IReadOnlyList<ReplicaResponse> replicas)
    {
        var statuses = replicas.Select(r => r.Health?.Status ?? "unknown").ToList();
        if (statuses.All(s => s == "unknown"))
        {
            return "-";
        }

        return string.Join(", ", statuses
            .GroupBy(s => s, StringComparer.Ordinal)
            .OrderBy(g => HealthRank(g.Key))
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}")));
    }

    private static int HealthRank(string status) => status switch
    {
        "critical" => 0,
        "lost" => 1,
        "degraded" => 2,
        "healthy" => 3,
        _ => 4,
    };

    private static Style HealthStyle(IReadOnlyList<ReplicaResponse> replicas)
    {
        var worst = replicas.Select(r => r.Health?.Status ?? "unknown").Where(s => s != "unknown").OrderBy(HealthRank).FirstOrDefault();
        return worst switch
        {
            "critical" or "lost" => new Style(Color.Red),
            "degraded" => new Style(Color.Yellow),
            "healthy" => new Style(Color.Green),
            _ => Style.Plain,
        };
    }

    private static Style StatusStyle(string status) => status switch
    {
        "running" => new Style(Color.Green),
        "failed" or "unhealthy" => new Style(Color.Red),
        "degraded" or "pending" or "provisioning" => new Style(Color.Yellow),
        _ => Style.Plain,
    };
}
