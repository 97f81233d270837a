namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods terminate --json`: which pod is gone.</summary>
public sealed record TerminatedPod(string Driver, string Id, bool Terminated);
