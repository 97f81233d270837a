using System.CommandLine;
using System.Globalization;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods get ID`.</summary>
internal sealed class GetPodCommand : FleetCommand
{
    private readonly Argument<string> _id = new("id") { Description = "The pod's id at the driver (see `poddle pods ls`)" };

    public GetPodCommand(CliEnvironment environment, GlobalOptions globals)
        : base("get", "Show one pod", environment, globals)
    {
        Arguments.Add(_id);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var pod = await context.Authenticated().GetPodAsync(Driver(parse), parse.GetRequiredValue(_id), cancellationToken);
        context.Output.Result(pod, PoddleJsonContext.Default.PodResponse, Describe(pod));
        return ExitCode.Ok;
    }

    /// <summary>A pod in a few lines for people.</summary>
    public static string Describe(PodResponse pod) => string.Create(CultureInfo.InvariantCulture, $"""
        Pod {pod.Id} ({pod.Name ?? "no name"}) at {pod.Driver}: {pod.Status}{(pod.Spot ? ", spot" : string.Empty)}
          image:   {pod.Image ?? "-"}
          gpus:    {(pod.GpuCount > 0 ? $"{pod.GpuCount} x {pod.GpuType ?? "?"}" : "-")}
          uptime:  {(pod.UptimeSeconds is { } up ? PodTable.Uptime(up) : "-")}
          cost:    {(pod.CostPerHour is { } cost ? $"${cost:0.000}/h" : "-")}
          poddle:  {PodTable.Owner(pod)}{(pod.Owner is { } owner ? $" (owner {owner})" : string.Empty)}
        """);
}
