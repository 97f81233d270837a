using System.CommandLine;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>
/// `poddle pods monitor [--interval S] [--count N]`: the pods table refreshed in place on a terminal (Spectre's live
/// display); elsewhere, and with --json, one table or JSON array per refresh, so a script can follow it too.
/// </summary>
internal sealed class MonitorPodsCommand : FleetCommand
{
    private readonly Option<int> _interval = new("--interval") { Description = "Seconds between refreshes (1 to 3600)", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _count = new("--count", "-n") { Description = "Refreshes before stopping (0: until Ctrl+C)", DefaultValueFactory = _ => 0 };

    public MonitorPodsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("monitor", "Watch the driver's pods: status, uptime, GPU and container utilisation, $/h, refreshed in place", environment, globals)
    {
        Options.Add(_interval);
        Options.Add(_count);
        Aliases.Add("watch");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var interval = parse.GetValue(_interval);
        var count = parse.GetValue(_count);
        if (interval is < 1 or > 3600 || count < 0)
        {
            throw CliException.Usage("Use --interval from 1 to 3600 seconds and --count 0 or more.");
        }

        var client = context.Authenticated();
        var driver = Driver(parse);
        var time = context.Environment.Time;
        var delay = TimeSpan.FromSeconds(interval);
        try
        {
            if (context.Environment.IsInteractive && !context.Output.Json)
            {
                var first = await client.ListPodsAsync(driver, cancellationToken);
                await context.Output.Out.Live(PodTable.Of(first)).StartAsync(async live =>
                {
                    for (var round = 1; count == 0 || round < count; round++)
                    {
                        await Task.Delay(delay, time, cancellationToken);
                        live.UpdateTarget(PodTable.Of(await client.ListPodsAsync(driver, cancellationToken)));
                    }
                });
                return ExitCode.Ok;
            }

            for (var round = 0; count == 0 || round < count; round++)
            {
                if (round > 0)
                {
                    await Task.Delay(delay, time, cancellationToken);
                }

                var pods = await client.ListPodsAsync(driver, cancellationToken);
                if (context.Output.Json)
                {
                    context.Output.WriteJson(pods, PoddleJsonContext.Default.IReadOnlyListPodResponse);
                }
                else
                {
                    context.Output.Out.Write(PodTable.Of(pods));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by Ctrl+C.
        }

        return ExitCode.Ok;
    }
}
